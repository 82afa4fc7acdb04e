/* assets: the page and everything it loads, embedded at build time
 * (cmake/embed_assets.cmake): the hand-written page, script and style, and
 * the NHS design system's style sheet, script and images, so the dashboard
 * needs no files at run time and nothing from elsewhere. */
#ifndef SUCCESSION_DASHBOARD_ASSETS_H
#define SUCCESSION_DASHBOARD_ASSETS_H

#include <stddef.h>

typedef struct asset {
    const char *path; /* as requested, e.g. "/assets/app.js" */
    const char *content_type;
    const unsigned char *data;
    size_t size;
} asset_t;

extern const asset_t assets[];
extern const size_t asset_count;

#endif

/* appraisal-worker: consumes succession.appraisal.v1 into the succession model. */
#include "config.h"
#include "succession/v1/appraisal.pb-c.h"
#include "worker.h"

static const worker_spec_t appraisal_worker = {
    .name = "appraisal-worker",
    .topic = TOPIC_APPRAISAL,
    .descriptor = &succession__v1__appraisal_event__descriptor,
    .apply_sql = "SELECT * FROM apply_appraisal_batch($1, $2::jsonb)",
};

int main(int argc, char **argv)
{
    return worker_main(&appraisal_worker, argc, argv);
}

/* appraisal-worker: consumes succession.appraisal.v1 into the succession model. */
#include "worker.h"

static const worker_spec_t appraisal_worker = {
    .name = "appraisal-worker",
    .kind = "appraisal",
    .apply_function = "apply_appraisal_batch",
};

int main(int argc, char **argv)
{
    return worker_main(&appraisal_worker, argc, argv);
}

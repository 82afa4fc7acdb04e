/* vacancy-worker: consumes succession.vacancy.v1 into the succession model. */
#include "worker.h"

static const worker_spec_t vacancy_worker = {
    .name = "vacancy-worker",
    .kind = "vacancy",
    .apply_function = "apply_vacancy_batch",
};

int main(int argc, char **argv)
{
    return worker_main(&vacancy_worker, argc, argv);
}

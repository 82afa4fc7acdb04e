/* vacancy-worker: consumes succession.vacancy.v1 into the succession model. */
#include "config.h"
#include "succession/v1/vacancy.pb-c.h"
#include "worker.h"

static const worker_spec_t vacancy_worker = {
    .name = "vacancy-worker",
    .topic = TOPIC_VACANCY,
    .descriptor = &succession__v1__vacancy_event__descriptor,
    .apply_sql = "SELECT * FROM apply_vacancy_batch($1, $2::jsonb)",
};

int main(int argc, char **argv)
{
    return worker_main(&vacancy_worker, argc, argv);
}

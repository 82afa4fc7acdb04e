/* appointment-worker: consumes succession.appointment.v1 into the succession model. */
#include "config.h"
#include "succession/v1/appointment.pb-c.h"
#include "worker.h"

static const worker_spec_t appointment_worker = {
    .name = "appointment-worker",
    .topic = TOPIC_APPOINTMENT,
    .descriptor = &succession__v1__appointment_event__descriptor,
    .apply_sql = "SELECT * FROM apply_appointment_batch($1, $2::jsonb)",
};

int main(int argc, char **argv)
{
    return worker_main(&appointment_worker, argc, argv);
}

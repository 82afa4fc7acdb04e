/* appointment-worker: consumes succession.appointment.v1 into the succession model. */
#include "worker.h"

static const worker_spec_t appointment_worker = {
    .name = "appointment-worker",
    .kind = "appointment",
    .apply_function = "apply_appointment_batch",
};

int main(int argc, char **argv)
{
    return worker_main(&appointment_worker, argc, argv);
}

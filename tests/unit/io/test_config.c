/* config: defaults, then SUCCESSION_* variables, then flags; -X and the
 * properties file pass through with flags winning; errors name the setting
 * or FILE:LINE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "kafka.h"

static int clear_env(void **state)
{
    (void)state;
    unsetenv("SUCCESSION_BROKERS");
    unsetenv("SUCCESSION_BATCH_MAX_EVENTS");
    unsetenv("SUCCESSION_DB");
    unsetenv("SUCCESSION_TOPIC_PREFIX");
    unsetenv("SUCCESSION_GROUP_ID");
    return 0;
}

static void test_defaults_apply_without_environment_or_flags(void **state)
{
    config_t cfg;
    char err[256];
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    assert_string_equal(cfg.brokers, "127.0.0.1:9092");
    assert_string_equal(cfg.db, "dbname=succession");
    assert_int_equal(cfg.batch_max_events, 500);
    assert_int_equal(cfg.max_event_bytes, 65536);
    config_free(&cfg);
}

static void test_environment_overrides_default_and_flag_overrides_environment(void **state)
{
    setenv("SUCCESSION_BROKERS", "env:9092", 1);
    setenv("SUCCESSION_BATCH_MAX_EVENTS", "42", 1);
    config_t cfg;
    char err[256], *rest[8];
    int rest_count, help;
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    assert_string_equal(cfg.brokers, "env:9092");
    assert_int_equal(cfg.batch_max_events, 42);
    char *argv[] = {"prog", "--brokers", "flag:9092", "--batch-max-events=7", NULL};
    assert_int_equal(config_parse_args(&cfg, 4, argv, rest, &rest_count, &help, err, sizeof err),
                     0);
    assert_string_equal(cfg.brokers, "flag:9092");
    assert_int_equal(cfg.batch_max_events, 7);
    assert_int_equal(rest_count, 0);
    config_free(&cfg);
}

static void test_bad_number_in_environment_names_the_variable(void **state)
{
    setenv("SUCCESSION_BATCH_MAX_EVENTS", "lots", 1);
    config_t cfg;
    char err[256];
    assert_int_equal(config_init(&cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "SUCCESSION_BATCH_MAX_EVENTS"));
    assert_non_null(strstr(err, "'lots'"));
    config_free(&cfg);
}

static void test_bad_flag_value_names_the_flag(void **state)
{
    config_t cfg;
    char err[256], *rest[8];
    int rest_count, help;
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    char *argv[] = {"prog", "--max-event-bytes", "-3", NULL};
    assert_int_equal(config_parse_args(&cfg, 3, argv, rest, &rest_count, &help, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "--max-event-bytes"));
    char *argv2[] = {"prog", "--brokers", NULL};
    assert_int_equal(config_parse_args(&cfg, 2, argv2, rest, &rest_count, &help, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "--brokers: needs a value"));
    config_free(&cfg);
}

static void test_other_arguments_are_left_in_order(void **state)
{
    config_t cfg;
    char err[256], *rest[8];
    int rest_count, help;
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    char *argv[] = {"prog", "publish", "--unchecked", "--db", "x", "file.jsonl", "--help", NULL};
    assert_int_equal(config_parse_args(&cfg, 7, argv, rest, &rest_count, &help, err, sizeof err),
                     0);
    assert_int_equal(rest_count, 3);
    assert_string_equal(rest[0], "publish");
    assert_string_equal(rest[1], "--unchecked");
    assert_string_equal(rest[2], "file.jsonl");
    assert_string_equal(cfg.db, "x");
    assert_int_equal(help, 1);
    config_free(&cfg);
}

static void test_kafka_file_comes_before_x_flags(void **state)
{
    char path[] = "/tmp/succession-kafka-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\n\nsecurity.protocol=SSL\n  client.id = file\n", f);
    fclose(f);
    config_t cfg;
    char err[256], *rest[8];
    int rest_count, help;
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    char *argv[] = {"prog", "-X", "client.id=flag", NULL};
    assert_int_equal(config_parse_args(&cfg, 3, argv, rest, &rest_count, &help, err, sizeof err),
                     0);
    assert_int_equal(config_read_kafka_file(&cfg, path, err, sizeof err), 0);
    assert_int_equal(cfg.kafka_prop_count, 3);
    assert_string_equal(cfg.kafka_props[0], "security.protocol=SSL");
    assert_string_equal(cfg.kafka_props[1], "client.id=file");
    assert_string_equal(cfg.kafka_props[2], "client.id=flag"); /* last one wins in librdkafka */
    config_free(&cfg);
    unlink(path);
}

static void test_bad_kafka_file_line_is_reported_with_file_and_line(void **state)
{
    char path[] = "/tmp/succession-kafka-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("acks=all\nthis line has no equals sign\n", f);
    fclose(f);
    config_t cfg;
    char err[512], want[512];
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    assert_int_equal(config_read_kafka_file(&cfg, path, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:2: ", path);
    assert_memory_equal(err, want, strlen(want));
    config_free(&cfg);
    unlink(path);
}

static char *temp_file(const char *text, char *path)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_a_malformed_kafka_file_line_is_not_echoed(void **state)
{
    char path[] = "/tmp/succession-kafka-XXXXXX";
    temp_file("sasl.password: s3cret\n", path);
    config_t cfg;
    char err[512];
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    assert_int_equal(config_read_kafka_file(&cfg, path, err, sizeof err), -1);
    assert_non_null(strstr(err, ":1: expected key=value"));
    assert_null(strstr(err, "s3cret"));
    config_free(&cfg);
    unlink(path);

    char *argv[] = {"prog", "-X", "sasl.password s3cret", NULL};
    char *rest[4];
    int rest_count, help;
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    assert_int_equal(config_parse_args(&cfg, 3, argv, rest, &rest_count, &help, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "-X: expected key=value"));
    assert_null(strstr(err, "s3cret"));
    config_free(&cfg);
}

static void test_long_kafka_lines_keys_and_values_are_kept_whole(void **state)
{
    enum { LONG = 10000 };
    static char text[LONG + 64], key_arg[LONG + 8], value_arg[LONG + 16];
    char path[] = "/tmp/succession-kafka-XXXXXX";
    snprintf(text, sizeof text, "client.id=%0*d\n", LONG, 7);
    temp_file(text, path);
    memset(key_arg, 'k', LONG);
    strcpy(key_arg + LONG, "=v");
    snprintf(value_arg, sizeof value_arg, "client.rack=%0*d", LONG, 9);

    config_t cfg;
    char err[512], *rest[8];
    int rest_count, help;
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    char *argv[] = {"prog", "-X", value_arg, NULL};
    assert_int_equal(config_parse_args(&cfg, 3, argv, rest, &rest_count, &help, err, sizeof err),
                     0);
    assert_int_equal(config_read_kafka_file(&cfg, path, err, sizeof err), 0);
    assert_int_equal(cfg.kafka_prop_count, 2);
    assert_int_equal(strlen(cfg.kafka_props[0]), strlen("client.id=") + LONG);
    rd_kafka_conf_t *conf = kafka_conf_new(&cfg, NULL, NULL, err, sizeof err);
    assert_non_null(conf);
    static char got[LONG + 1];
    size_t got_size = sizeof got;
    assert_int_equal(rd_kafka_conf_get(conf, "client.rack", got, &got_size), RD_KAFKA_CONF_OK);
    assert_int_equal(strlen(got), LONG);
    rd_kafka_conf_destroy(conf);
    config_free(&cfg);
    unlink(path);

    /* A key past any fixed buffer is refused by librdkafka, not cut or crashed on. */
    char *argv2[] = {"prog", "-X", key_arg, NULL};
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    assert_int_equal(config_parse_args(&cfg, 3, argv2, rest, &rest_count, &help, err, sizeof err),
                     0);
    assert_null(kafka_conf_new(&cfg, NULL, NULL, err, sizeof err));
    assert_memory_equal(err, "kkkkkkkk", 8);
    config_free(&cfg);
}

static void test_group_name_is_prefixed_unless_group_id_is_set(void **state)
{
    config_t cfg;
    char err[256], group[64], *rest[8];
    int rest_count, help;
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    assert_int_equal(config_group(&cfg, "vacancy-worker", group, sizeof group, err, sizeof err), 0);
    assert_string_equal(group, "succession-vacancy-worker");

    char *argv[] = {"prog", "--topic-prefix", "it.a.", NULL};
    assert_int_equal(config_parse_args(&cfg, 3, argv, rest, &rest_count, &help, err, sizeof err),
                     0);
    assert_int_equal(config_group(&cfg, "vacancy-worker", group, sizeof group, err, sizeof err), 0);
    assert_string_equal(group, "it.a.succession-vacancy-worker");

    /* A group id is the whole name: the prefix is not added to it. */
    char *argv2[] = {"prog", "--group-id", "ours", NULL};
    assert_int_equal(config_parse_args(&cfg, 3, argv2, rest, &rest_count, &help, err, sizeof err),
                     0);
    assert_int_equal(config_group(&cfg, "vacancy-worker", group, sizeof group, err, sizeof err), 0);
    assert_string_equal(group, "ours");
    config_free(&cfg);
}

static void test_group_name_that_does_not_fit_is_an_error(void **state)
{
    config_t cfg;
    char err[256], group[16], *rest[8];
    int rest_count, help;
    assert_int_equal(config_init(&cfg, err, sizeof err), 0);
    assert_int_equal(config_group(&cfg, "vacancy-worker", group, sizeof group, err, sizeof err),
                     -1);
    assert_string_equal(err, "group-id: the consumer group name is longer than 15 bytes");
    char *argv[] = {"prog", "--group-id", "0123456789abcdef", NULL};
    assert_int_equal(config_parse_args(&cfg, 3, argv, rest, &rest_count, &help, err, sizeof err),
                     0);
    assert_int_equal(config_group(&cfg, "w", group, sizeof group, err, sizeof err), -1);
    config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults_apply_without_environment_or_flags, clear_env),
        cmocka_unit_test_setup(test_environment_overrides_default_and_flag_overrides_environment,
                               clear_env),
        cmocka_unit_test_setup(test_bad_number_in_environment_names_the_variable, clear_env),
        cmocka_unit_test_setup(test_bad_flag_value_names_the_flag, clear_env),
        cmocka_unit_test_setup(test_other_arguments_are_left_in_order, clear_env),
        cmocka_unit_test_setup(test_kafka_file_comes_before_x_flags, clear_env),
        cmocka_unit_test_setup(test_bad_kafka_file_line_is_reported_with_file_and_line, clear_env),
        cmocka_unit_test_setup(test_a_malformed_kafka_file_line_is_not_echoed, clear_env),
        cmocka_unit_test_setup(test_long_kafka_lines_keys_and_values_are_kept_whole, clear_env),
        cmocka_unit_test_setup(test_group_name_is_prefixed_unless_group_id_is_set, clear_env),
        cmocka_unit_test_setup(test_group_name_that_does_not_fit_is_an_error, clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

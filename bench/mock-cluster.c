/*
 * Runs librdkafka's in-memory mock cluster as a stand-alone process, as the reference point for samsa's benchmark.
 *
 * Usage: mock-cluster [<topic> <partitions>]...
 *   Starts a 1-broker mock cluster on 127.0.0.1, creates each topic with its partition count, prints the bootstrap
 *   address on one stdout line, then serves until stdin reaches EOF or SIGTERM/SIGINT arrives.
 *   MOCK_RTT_MS=<n> in the environment delays every response by n ms (rd_kafka_mock_broker_set_rtt): the peer
 *   with the acknowledgement latency of a broker that writes to disk (bench/run.mjs --mock-rtt-ms).
 *
 * Built by bench/run.mjs on demand: cc -O2 -o .build/bench/mock-cluster bench/mock-cluster.c -lrdkafka
 * Note: the mock keeps at most ~5 MB / 100,000 message sets per partition and drops older data beyond that.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested = 0;

static void on_signal (int sig) {
        (void)sig;
        stop_requested = 1;
}

/* Blocks until stdin closes (parent went away) or a stop signal arrives. Polling with a timeout lets the signal
 * flag be checked even when poll() is not interrupted. */
static void wait_for_stop (void) {
        char buf[256];
        while (!stop_requested) {
                struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
                int n             = poll(&pfd, 1, 200);
                if (n < 0 && errno != EINTR)
                        return;
                if (n > 0) {
                        ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
                        if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
                                return;
                }
        }
}

int main (int argc, char **argv) {
        char errstr[512];
        if (argc % 2 != 1) {
                fprintf(stderr, "usage: %s [<topic> <partitions>]...\n", argv[0]);
                return 2;
        }

        struct sigaction sa = { .sa_handler = on_signal };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        /* The mock cluster lives inside an rd_kafka_t; a producer handle is the lightest one to create. It never
         * connects anywhere itself (no bootstrap.servers). */
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "conf: %s\n", errstr);
                return 1;
        }
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new: %s\n", errstr);
                return 1;
        }

        rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, 1);
        if (!mcluster) {
                fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
                rd_kafka_destroy(rk);
                return 1;
        }

        for (int i = 1; i + 1 < argc; i += 2) {
                int partitions = atoi(argv[i + 1]);
                if (partitions <= 0) {
                        fprintf(stderr, "bad partition count for %s: %s\n", argv[i], argv[i + 1]);
                        return 2;
                }
                rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, argv[i], partitions, 1);
                if (err) {
                        fprintf(stderr, "create topic %s: %s\n", argv[i], rd_kafka_err2str(err));
                        return 1;
                }
        }

        const char *rtt = getenv("MOCK_RTT_MS");
        if (rtt != NULL && atoi(rtt) > 0)
                rd_kafka_mock_broker_set_rtt(mcluster, 1, atoi(rtt));

        printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        fflush(stdout);

        wait_for_stop();

        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}

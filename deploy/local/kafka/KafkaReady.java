// Waits until a Kafka broker answers a metadata request.
//
// Run with the broker's class path in source-file mode (no build step):
//   java -cp '<libs>/*' KafkaReady.java <bootstrap> <timeout-seconds> [broker-pid] [nodes]
// With [nodes], waits until the metadata lists at least that many brokers (a cluster);
// a broker-pid of 0 watches no process.
// Exit status: 0 ready, 1 timed out, 2 the broker process exited.

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

public final class KafkaReady {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KafkaReady <bootstrap> <timeout-seconds> [broker-pid] [nodes]");
            System.exit(64);
        }
        String bootstrap = args[0];
        Instant deadline = Instant.now().plusSeconds(Long.parseLong(args[1]));
        Long pid = args.length > 2 && !args[2].equals("0") ? Long.valueOf(args[2]) : null;
        int wanted = args.length > 3 ? Integer.parseInt(args[3]) : 1;

        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "gridloop-ready-check");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "4000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "200");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");

        String lastError = "no answer yet";
        try (Admin admin = Admin.create(props)) {
            while (Instant.now().isBefore(deadline)) {
                if (pid != null && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    System.err.println("broker process " + pid + " exited");
                    System.exit(2);
                }
                try {
                    DescribeClusterResult cluster = admin.describeCluster();
                    Collection<Node> nodes = cluster.nodes().get(4, TimeUnit.SECONDS);
                    String clusterId = cluster.clusterId().get(4, TimeUnit.SECONDS);
                    // listTopics goes through a plain Metadata request.
                    Set<String> topics = admin.listTopics().names().get(4, TimeUnit.SECONDS);
                    if (nodes.size() >= wanted) {
                        System.out.println("kafka ready: cluster " + clusterId + ", "
                                + nodes.size() + " node(s), " + topics.size() + " topic(s)");
                        return;
                    }
                    lastError = "metadata lists " + nodes.size() + " of " + wanted + " broker(s)";
                } catch (Exception e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    lastError = cause.getClass().getSimpleName() + ": " + cause.getMessage();
                }
                Thread.sleep(Duration.ofMillis(500).toMillis());
            }
        }
        System.err.println("kafka not ready before the deadline (" + lastError + ")");
        System.exit(1);
    }
}

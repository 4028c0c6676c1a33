package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ErrorCode;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker's and the sequencer's counters live in a file that another process maps and reads. */
class CountersFileTest {
    @TempDir
    Path dataDir;

    static Map<String, Long> values(final CountersReader reader) {
        final Map<String, Long> values = new LinkedHashMap<>();
        reader.forEach((value, id, label) -> values.put(label, value));
        return values;
    }

    /** The second process: prints every counter of the file named by its argument as label=value. */
    public static void main(final String[] args) {
        try (CountersFile file = CountersFile.openForReading(Paths.get(args[0]))) {
            System.out.println("pid=" + file.pid());
            for (final Map.Entry<String, Long> entry : values(file.reader()).entrySet()) {
                System.out.println(entry.getKey() + "=" + entry.getValue());
            }
        }
    }

    private static Map<String, String> readInChildProcess(final Path file) throws Exception {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CountersFileTest.class.getName());
        command.add(file.toString());
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final Map<String, String> values = new LinkedHashMap<>();
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (null != (line = in.readLine())) {
                final int eq = line.lastIndexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the reader process ends");
        assertEquals(0, process.exitValue(), "reader output: " + values);
        return values;
    }

    @Test
    void anotherProcessReadsTheCountersWhileTheBrokerRuns() throws Exception {
        try (Broker broker = Broker.launch(TestSupport.context(dataDir));
            TestClient client = new TestClient(broker)) {
            client.connect("counted");
            assertEquals(ErrorCode.NONE, client.createTopic("t", 1).code);
            for (int i = 0; i < 5; i++) {
                assertEquals(ErrorCode.NONE, client.produce("t", 0, Acks.ALL, TestSupport.batch("v" + i)).code);
            }
            final Map<String, String> child = readInChildProcess(broker.countersFile());
            assertEquals(Long.toString(ProcessHandle.current().pid()), child.get("pid"));
            assertEquals("5", child.get("sequent broker 0: produce requests"), child.toString());
            assertEquals("1", child.get("sequent broker 0: sessions opened"));
            assertTrue(Long.parseLong(child.get("sequencer: batches appended")) >= 6,
                "five batches and the topic's metadata record: " + child);

            try (CountersFile file = CountersFile.openForReading(broker.countersFile())) {
                assertEquals(5L, values(file.reader()).get("sequent broker 0: produce requests"));
                assertEquals(ErrorCode.NONE, client.produce("t", 0, Acks.ALL, TestSupport.batch("more")).code);
                assertEquals(6L, values(file.reader()).get("sequent broker 0: produce requests"),
                    "a mapped reader sees the values move");
            }
        }
        final Map<String, String> after = readInChildProcess(dataDir.resolve(CountersFile.FILE_NAME));
        assertEquals("6", after.get("sequent broker 0: produce requests"), "the final values stay in the file");
    }

    @Test
    void aMissingOrForeignFileIsRefusedWithAClearError() throws Exception {
        final BrokerException missing = assertThrows(BrokerException.class,
            () -> CountersFile.openForReading(dataDir.resolve("nothing")));
        assertTrue(missing.getMessage().contains("no counters file"), missing.getMessage());
        final Path foreign = dataDir.resolve("foreign");
        Files.write(foreign, new byte[4096]);
        final BrokerException wrong = assertThrows(BrokerException.class,
            () -> CountersFile.openForReading(foreign));
        assertTrue(wrong.getMessage().contains("not a counters file"), wrong.getMessage());
    }
}

package io.sequent.systemtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code sequent} command (cli/target/sequent.jar) as child processes. */
final class Cli {
    static final Path JAR = Path.of(System.getProperty("sequent.jar", "../cli/target/sequent.jar"));

    private Cli() {
    }

    static List<String> command(final String... args) {
        return command(List.of(), args);
    }

    /** The command line with extra JVM options (such as system properties) before {@code -jar}. */
    static List<String> command(final List<String> jvmOptions, final String... args) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("missing " + JAR.toAbsolutePath() + ": build the cli module first");
        }
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** A free UDP port on loopback (the broker's client port is UDP). */
    static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The outcome of one finished command. */
    record Result(int exitCode, String stdout, String stderr) {
        List<String> lines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
        }
    }

    /** Runs a command to completion, feeding it {@code input}; fails if it outlives {@code timeoutSeconds}. */
    static Result run(final byte[] input, final long timeoutSeconds, final String... args) throws Exception {
        final Process process = new ProcessBuilder(command(args)).start();
        final CompletableFuture<String> stdout = drain(process.getInputStream());
        final CompletableFuture<String> stderr = drain(process.getErrorStream());
        try (OutputStream in = process.getOutputStream()) {
            if (input != null) {
                in.write(input);
            }
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("'" + String.join(" ", args) + "' did not finish within " + timeoutSeconds +
                " s; stderr: " + stderr.getNow(""));
        }
        return new Result(process.exitValue(), stdout.get(10, TimeUnit.SECONDS), stderr.get(10, TimeUnit.SECONDS));
    }

    static CompletableFuture<String> drain(final InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (final IOException ex) {
                return "";
            }
        });
    }

    /** A broker process: {@code sequent broker start}, ready once it printed its ready line. */
    static final class BrokerProcess implements AutoCloseable {
        final Process process;
        final int port;
        private final StringBuffer output = new StringBuffer();

        BrokerProcess(final Path dataDir, final int port) throws Exception {
            this(dataDir, port, List.of());
        }

        /** A broker with extra JVM options and command-line arguments (such as {@code --config FILE}). */
        BrokerProcess(final Path dataDir, final int port, final List<String> jvmOptions, final String... extraArgs)
            throws Exception {
            this(List.of(), dataDir, port, jvmOptions, extraArgs);
        }

        /**
         * A broker whose command line is run through {@code prefix}, such as {@code ip netns exec NAME} to run it
         * in a network namespace.
         */
        BrokerProcess(final List<String> prefix, final Path dataDir, final int port, final List<String> jvmOptions,
            final String... extraArgs) throws Exception {
            this.port = port;
            final List<String> args = new ArrayList<>(List.of("broker", "start", "--data-dir", dataDir.toString(),
                "--port", Integer.toString(port)));
            args.addAll(Arrays.asList(extraArgs));
            final List<String> commandLine = new ArrayList<>(prefix);
            commandLine.addAll(command(jvmOptions, args.toArray(new String[0])));
            process = new ProcessBuilder(commandLine).redirectErrorStream(true).start();
            final CompletableFuture<Void> ready = new CompletableFuture<>();
            final Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        output.append(line).append('\n');
                        if (line.contains("ready")) {
                            ready.complete(null);
                        }
                    }
                } catch (final IOException ignored) {
                    // the process went away
                }
                ready.completeExceptionally(new AssertionError("broker exited before ready:\n" + output));
            }, "broker-output-" + port);
            reader.setDaemon(true);
            reader.start();
            try {
                ready.get(60, TimeUnit.SECONDS);
            } catch (final Exception ex) {
                process.destroyForcibly();
                throw new AssertionError("broker not ready within 60 s:\n" + output, ex);
            }
        }

        String broker() {
            return "127.0.0.1:" + port;
        }

        String output() {
            return output.toString();
        }

        /** SIGKILL: no shutdown hook, no flush, no clean-shutdown marker. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}

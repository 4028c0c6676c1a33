package io.sequent.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sqlline.SqlLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * {@code sequent sql}: the sqlline shell on the embedded driver ({@code jdbc:sequent://BROKERS}) or on any
 * JDBC URL, such as a SQL server's {@code jdbc:avatica:remote:url=http://host:8088;serialization=protobuf}.
 * With {@code -e STATEMENT} or {@code -f FILE} it runs them, prints the rows on standard output and exits:
 * 0 when every statement succeeded, 1 otherwise.
 */
@Command(name = "sql", mixinStandardHelpOptions = true,
    description = "SQL shell (sqlline: history, completion, !tables) on the embedded driver or a JDBC URL; "
        + "-e runs one statement and prints its rows.")
final class SqlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--broker", paramLabel = "HOST:PORT[,HOST:PORT...]", defaultValue = "127.0.0.1:9090",
        description = "Broker(s) of the embedded driver (default: ${DEFAULT-VALUE}).")
    String broker;

    @Option(names = "--url", paramLabel = "JDBC_URL",
        description = "Connect to this JDBC URL instead, e.g. jdbc:avatica:remote:url=http://host:8088;"
            + "serialization=protobuf.")
    String url;

    @Option(names = {"-e", "--execute"}, paramLabel = "STATEMENT",
        description = "Run this statement, print its rows and exit.")
    String execute;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
        description = "Run the statements of this file (each ending with ';'), print their rows and exit.")
    Path file;

    @Option(names = "--output-format", paramLabel = "FORMAT", defaultValue = "table",
        description = "table, vertical, csv, tsv, json (default: ${DEFAULT-VALUE}); csv, tsv and json print "
            + "each row as it arrives (push queries), table and vertical after the last.")
    String outputFormat;

    @Option(names = "--property", paramLabel = "KEY=VALUE",
        description = "A client setting (docs/client.md) or auto.offset.reset of the embedded driver; repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
        final List<String> args = new ArrayList<>(List.of(
            "-u", url != null ? url : embeddedUrl(),
            "-n", "sequent", "-p", "sequent",
            "--isolation=TRANSACTION_NONE",
            "--outputformat=" + outputFormat,
            // A table is drawn once its widths are known, so after the last row; the other formats print each
            // row as it arrives, so a push query (EMIT CHANGES) shows a row when its record commits.
            "--incremental=" + !("table".equals(outputFormat) || "vertical".equals(outputFormat)),
            "--verbose=false",
            "--showNestedErrs=false",
            "--maxWidth=160"));
        final boolean script = execute != null || file != null;
        if (execute != null) {
            args.add("-e");
            args.add(execute);
        }
        if (file != null) {
            args.add("-f");
            args.add(file.toString());
        }
        final SqlLine sqlline = new SqlLine();
        final InputStream in;
        if (script) {
            args.add("--silent=true");
            args.add("--fastConnect=true");
            final PrintWriter out = spec.commandLine().getOut();
            final PrintWriter err = spec.commandLine().getErr();
            sqlline.setOutputStream(new WriterStream(out));
            sqlline.setErrorStream(new WriterStream(err));
            in = new ByteArrayInputStream(new byte[0]);
        } else {
            args.add("--fastConnect=false");
            in = System.in;
        }
        final SqlLine.Status status;
        if (script) {
            // sqlline prints the stack trace of a statement failing in -e or -f (to System.err, whatever its
            // verbose setting) after its one-line "Error: ... (state=...)": keep the line, drop the trace.
            final PrintStream err = System.err;
            System.setErr(new PrintStream(new TraceFilter(err), true, StandardCharsets.UTF_8));
            try {
                status = sqlline.begin(args.toArray(new String[0]), in, false);
            } finally {
                System.setErr(err);
            }
        } else {
            status = sqlline.begin(args.toArray(new String[0]), in, true);
        }
        spec.commandLine().getOut().flush();
        return switch (status) {
            case OK -> 0;
            case ARGS -> 2;
            default -> 1;
        };
    }

    private String embeddedUrl() {
        final StringJoiner query = new StringJoiner("&", "?", "");
        query.setEmptyValue("");
        properties.forEach((key, value) ->
            query.add(key + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return "jdbc:sequent://" + broker + query;
    }

    /** Passes lines on to a stream, except the lines of a Java stack trace. */
    private static final class TraceFilter extends OutputStream {
        private static final Pattern TRACE = Pattern.compile(
            "^(\\s+at |\\s+\\.\\.\\. \\d+ more|Caused by: |[\\w$.]+(Exception|Error)(: |$))");
        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        TraceFilter(final PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(final int b) {
            line.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public synchronized void flush() {
            if (line.size() > 0) {
                final String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (!TRACE.matcher(text).find()) {
                    target.print(text);
                }
            }
            target.flush();
        }
    }

    /** sqlline's output into the command's writer, a line at a time (so rows show as they are printed). */
    private static final class WriterStream extends OutputStream {
        private final PrintWriter writer;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        WriterStream(final PrintWriter writer) {
            this.writer = writer;
        }

        @Override
        public synchronized void write(final int b) {
            line.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public synchronized void flush() {
            if (line.size() > 0) {
                writer.write(line.toString(StandardCharsets.UTF_8));
                line.reset();
            }
            writer.flush();
        }
    }
}

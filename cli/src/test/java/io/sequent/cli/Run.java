package io.sequent.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** One in-process run of the sequent command, with its standard input, output and error captured. */
final class Run {
    final int exitCode;
    final String out;
    final String err;

    private Run(final int exitCode, final String out, final String err) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    static Run of(final String... args) {
        return withInput(new byte[0], args);
    }

    /**
     * Runs the command with {@code input} as System.in; System.err is captured too, so that log lines
     * (which the simple logger writes to System.err) count as the command's stderr.
     */
    static synchronized Run withInput(final byte[] input, final String... args) {
        final InputStream oldIn = System.in;
        final PrintStream oldErr = System.err;
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final StringWriter out = new StringWriter();
        final int exitCode;
        try (PrintStream capture = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            System.setIn(new ByteArrayInputStream(input));
            System.setErr(capture);
            final PrintWriter err = new PrintWriter(capture, true);
            exitCode = SequentCommand.execute(args, new PrintWriter(out, true), err);
            err.flush();
        } finally {
            System.setIn(oldIn);
            System.setErr(oldErr);
        }
        final Run run = new Run(exitCode, out.toString(), errBytes.toString(StandardCharsets.UTF_8));
        oldErr.println("sequent " + String.join(" ", args) + " -> " + exitCode + "\n" + run.err);
        return run;
    }

    List<String> outLines() {
        return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
    }

    List<String> errLines() {
        return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
}

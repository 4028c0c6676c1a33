package io.sequent.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;

import java.util.logging.Level;
import java.util.logging.LogManager;

/**
 * Routes every log record of the process through slf4j (simple logger, configured by
 * {@code simplelogger.properties}), so that one format reaches stderr: java.util.logging, and with it
 * {@link System.Logger} (used by the log module and the Disruptor), is bridged instead of printing its
 * own two-line records.
 */
final class Logging {
    private Logging() {
    }

    /** Installs the bridge in place of java.util.logging's console handler; idempotent. */
    static synchronized void configure() {
        if (SLF4JBridgeHandler.isInstalled()) {
            return;
        }
        LogManager.getLogManager().reset();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("").setLevel(Level.INFO);
    }
}

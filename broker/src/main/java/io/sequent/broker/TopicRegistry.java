package io.sequent.broker;

/**
 * Where the current {@link TopicTable} is published. Single writer, the admin thread (and the launching
 * thread before the agents start); readers on any thread take {@link #table()} once per request.
 */
final class TopicRegistry {
    private volatile TopicTable table = TopicTable.EMPTY;

    TopicTable table() {
        return table;
    }

    void publish(final TopicTable table) {
        this.table = table;
    }
}

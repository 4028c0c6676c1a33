package io.sequent.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The open sessions, in slots, so that any thread can find a session from its id without a lock or an
 * allocation: the low {@value #SLOT_BITS} bits of a session id are its slot, the bits above a serial
 * number that only grows, so an id is never reused in a broker's life.
 *
 * <pre>
 *   63         62 ..................................... 16 15 ........... 0
 *  +----+------------------------------------------------+----------------+
 *  |  0 |  serial (47 bits, seeded from the clock at start) |      slot      |
 *  +----+------------------------------------------------+----------------+
 * </pre>
 *
 * The serial is seeded with the wall clock in milliseconds at launch, so a session id from a previous run
 * of the broker does not name a session of this one (unless the previous run opened more than one session
 * per millisecond on average).
 *
 * <p>Single writer: the admin thread installs and removes sessions. Readers (ingress, fetch, release,
 * admin) use {@link #get(long)}: a volatile read of the slot and a check of the id.
 */
final class SessionTable {
    static final int SLOT_BITS = 16;
    static final int MAX_SLOTS = 1 << SLOT_BITS;
    private static final long SLOT_MASK = MAX_SLOTS - 1;
    private static final long MAX_SERIAL = (1L << (63 - SLOT_BITS)) - 1;

    private final AtomicReferenceArray<Session> slots;
    private long nextSerial;
    private int count;

    SessionTable(final int capacity, final long serialSeed) {
        slots = new AtomicReferenceArray<>(capacity);
        nextSerial = Math.max(1, serialSeed & MAX_SERIAL);
    }

    /**
     * @param sessionId a session id from a request.
     * @return the open session with that id, or null. Any thread; no allocation.
     */
    Session get(final long sessionId) {
        if (sessionId <= 0) {
            return null;
        }
        final int slot = (int) (sessionId & SLOT_MASK);
        if (slot >= slots.length()) {
            return null;
        }
        final Session session = slots.get(slot);
        return null != session && session.id() == sessionId ? session : null;
    }

    /**
     * @param aeronSessionId the Aeron session id of an ingress image.
     * @return an open session that came in over that image, or null. Any thread; a scan, for error replies.
     */
    Session findByAeronSession(final int aeronSessionId) {
        for (int i = 0, n = slots.length(); i < n; i++) {
            final Session session = slots.get(i);
            if (null != session && session.aeronSessionId() == aeronSessionId && null != session.publication()) {
                return session;
            }
        }
        return null;
    }

    /** @return a free slot, or -1 when every slot is taken. Admin thread. */
    int freeSlot() {
        for (int i = 0, n = slots.length(); i < n; i++) {
            if (null == slots.get(i)) {
                return i;
            }
        }
        return -1;
    }

    /** @return a new session id for {@code slot}, never returned before. Admin thread. */
    long newSessionId(final int slot) {
        final long serial = nextSerial++;
        return (serial << SLOT_BITS) | slot;
    }

    /** Admin thread. */
    void install(final Session session) {
        slots.set(session.slot(), session);
        count++;
    }

    /** Admin thread. */
    boolean remove(final Session session) {
        if (slots.compareAndSet(session.slot(), session, null)) {
            count--;
            return true;
        }
        return false;
    }

    /** @return the number of open sessions. Admin thread. */
    int count() {
        return count;
    }

    /** @return a snapshot of the open sessions. Allocates; cold paths. */
    List<Session> snapshot() {
        final List<Session> sessions = new ArrayList<>();
        for (int i = 0, n = slots.length(); i < n; i++) {
            final Session session = slots.get(i);
            if (null != session) {
                sessions.add(session);
            }
        }
        return sessions;
    }
}

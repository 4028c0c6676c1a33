package io.sequent.codec;

import java.util.Locale;

/**
 * The MTU of the Aeron channels between a client and a broker (the client's ingress publication, and the
 * broker's response publication that carries acknowledgements and fetched records back): the largest
 * datagram Aeron sends, header included. A batch longer than the MTU goes out as several frames that the
 * receiver reassembles, so a larger MTU means fewer datagrams, fewer system calls and fewer fragments to
 * reassemble per batch.
 *
 * <p>Aeron's rules for a channel's {@code mtu}: above the 32-byte data frame header, at most 65,504 bytes
 * (the largest UDP payload), and a multiple of the 32-byte frame alignment; so 64 to 65,504 in steps of 32.
 * The term length is never the limit here: terms are 16 MiB, and Aeron's smallest, 64 KiB, still holds a
 * frame of the largest MTU; the receiver window (128 KiB by default) is above it as Aeron requires.
 *
 * <p>{@link #AUTO} picks the MTU by where the endpoint is: {@link #LOOPBACK} (the largest) to a loopback
 * address, where no datagram is ever fragmented, and {@link #NETWORK} (Aeron's default, 1,408, which fits a
 * 1,500-byte Ethernet frame with its IP and UDP headers) to any other host, since a datagram above the
 * path's MTU is fragmented by IP and one lost fragment loses the whole datagram. Only a literal loopback
 * address or {@code localhost} counts as loopback: no name is resolved, so the choice never waits on DNS.
 */
public final class TransportMtu {
    /** Chosen per endpoint: {@link #LOOPBACK} to a loopback address, {@link #NETWORK} otherwise. */
    public static final int AUTO = 0;
    /** Aeron's data frame header length: an MTU must be above it. */
    public static final int HEADER_LENGTH = 32;
    /** Aeron's frame alignment: an MTU is a multiple of it. */
    public static final int FRAME_ALIGNMENT = 32;
    /** The smallest MTU Aeron accepts. */
    public static final int MIN = HEADER_LENGTH + FRAME_ALIGNMENT;
    /** The largest MTU Aeron accepts: the largest UDP payload, rounded down to the frame alignment. */
    public static final int MAX = 65_504;
    /** Aeron's default MTU, {@link #AUTO}'s choice towards a host that is not loopback. */
    public static final int NETWORK = 1408;
    /** {@link #AUTO}'s choice towards a loopback address. */
    public static final int LOOPBACK = MAX;
    /** The channel parameter Aeron reads the MTU from. */
    public static final String CHANNEL_PARAM = "mtu";

    private TransportMtu() {
    }

    /**
     * @param mtu an MTU in bytes, or {@link #AUTO}.
     * @return null when Aeron accepts it, otherwise why not.
     */
    public static String check(final int mtu) {
        if (mtu == AUTO) {
            return null;
        }
        if (mtu < MIN || mtu > MAX) {
            return "must be 'auto' or between " + MIN + " and " + MAX + " bytes";
        }
        if (mtu % FRAME_ALIGNMENT != 0) {
            return "must be a multiple of " + FRAME_ALIGNMENT + " bytes (Aeron's frame alignment), e.g. " +
                (mtu / FRAME_ALIGNMENT * FRAME_ALIGNMENT);
        }
        return null;
    }

    /**
     * @param value {@code auto} or a number of bytes.
     * @return the MTU, {@link #AUTO} for {@code auto}; not yet {@link #check checked}.
     * @throws NumberFormatException when it is neither.
     */
    public static int parse(final String value) {
        final String trimmed = value.trim();
        if ("auto".equals(trimmed.toLowerCase(Locale.ROOT))) {
            return AUTO;
        }
        return Integer.parseInt(trimmed);
    }

    /**
     * @param mtu an MTU.
     * @return {@code auto} for {@link #AUTO}, otherwise the number.
     */
    public static String toString(final int mtu) {
        return mtu == AUTO ? "auto" : Integer.toString(mtu);
    }

    /**
     * @param configured the configured MTU, {@link #AUTO} to choose by the endpoint.
     * @param endpoint   {@code host:port}, {@code [v6]:port} or a bare host.
     * @return the MTU to use towards {@code endpoint}.
     */
    public static int resolve(final int configured, final String endpoint) {
        if (configured != AUTO) {
            return configured;
        }
        return isLoopback(host(endpoint)) ? LOOPBACK : NETWORK;
    }

    /**
     * @param host a host name or a literal address, IPv6 with or without brackets.
     * @return whether it is {@code localhost} or a literal loopback address (127.0.0.0/8, ::1).
     */
    public static boolean isLoopback(final String host) {
        if (host == null) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if ("localhost".equals(h) || "::1".equals(h) || "0:0:0:0:0:0:0:1".equals(h)) {
            return true;
        }
        if (!h.startsWith("127.")) {
            return false;
        }
        final String[] parts = h.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (final String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit) ||
                Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static String host(final String endpoint) {
        if (endpoint == null) {
            return null;
        }
        final String e = endpoint.trim();
        if (e.startsWith("[")) {
            final int close = e.indexOf(']');
            return close < 0 ? e : e.substring(0, close + 1);
        }
        final int colon = e.lastIndexOf(':');
        return colon >= 0 && e.indexOf(':') == colon ? e.substring(0, colon) : e;
    }
}

package io.sequent.broker;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A validated request frame handed from the ingress to the admin thread: a copy of its bytes (the cold
 * requests are few, so the copy's allocation does not matter) and, for a ConnectRequest, the ingress
 * image it came in on.
 */
final class AdminRequest {
    final int templateId;
    final UnsafeBuffer frame;
    final int aeronSessionId;
    final long imageCorrelationId;

    AdminRequest(final int templateId, final byte[] frame, final int aeronSessionId, final long imageCorrelationId) {
        this.templateId = templateId;
        this.frame = new UnsafeBuffer(frame);
        this.aeronSessionId = aeronSessionId;
        this.imageCorrelationId = imageCorrelationId;
    }
}

package io.sequent.broker;

import io.sequent.codec.Batches;
import io.sequent.codec.client.ErrorCode;
import io.sequent.sequencer.BatchEvent;
import io.sequent.sequencer.Partition;
import io.sequent.sequencer.ReleaseHandler;
import io.sequent.sequencer.Sequencer;
import io.sequent.sequencer.SequencerResult;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteBuffer;

/**
 * Answers produce requests on the sequencer's release stage: maps the batch's {@link SequencerResult} to
 * the protocol's {@link ErrorCode} and sends the ProduceResponse through the session's publication. A
 * duplicate (an idempotent producer's retry) is a success carrying the original base offset, as in Kafka. A batch
 * this member gave up waiting for when it lost leadership (NOT_COMMITTED: the outcome is unknown, a retry of an
 * idempotent producer is de-duplicated by whichever member leads) is answered NOT_LEADER with the leader hint.
 *
 * <p>Runs on the release stage's thread only: its buffer and encoder are its own; it takes no lock and
 * allocates nothing. acks=all requests come with a {@link PendingAcks} index in place of the session id
 * (see there), so that a request already answered REQUEST_TIMED_OUT is not answered twice. Batches written
 * through the {@link InternalAppender} carry its {@link InternalAppender#SESSION_ID} and complete there.
 */
final class ProduceReleaseHandler implements ReleaseHandler {
    private final SessionTable sessions;
    private final PendingAcks pendingAcks;
    private final InternalAppender internal;
    private final ResponseSender sender;
    private final ProduceLatency latency;
    private final NanoClock clock;
    private Sequencer sequencer;
    private ClusterState cluster;

    ProduceReleaseHandler(
        final SessionTable sessions,
        final PendingAcks pendingAcks,
        final InternalAppender internal,
        final AtomicCounter dropped) {
        this(sessions, pendingAcks, internal, new ResponseSender(new UnsafeBuffer(ByteBuffer.allocateDirect(256)),
            dropped), null, null);
    }

    /**
     * @param latency where the produce -&gt; ack latency of acks=all requests is recorded, by {@code clock}.
     */
    ProduceReleaseHandler(
        final SessionTable sessions,
        final PendingAcks pendingAcks,
        final InternalAppender internal,
        final BrokerCounters counters,
        final ProduceLatency latency,
        final NanoClock clock) {
        this(sessions, pendingAcks, internal, new ResponseSender(new UnsafeBuffer(ByteBuffer.allocateDirect(256)),
            counters), latency, clock);
    }

    private ProduceReleaseHandler(
        final SessionTable sessions,
        final PendingAcks pendingAcks,
        final InternalAppender internal,
        final ResponseSender sender,
        final ProduceLatency latency,
        final NanoClock clock) {
        this.sessions = sessions;
        this.pendingAcks = pendingAcks;
        this.internal = internal;
        this.sender = sender;
        this.latency = latency;
        this.clock = clock;
    }

    /** Set once the sequencer exists, before any batch is offered. */
    void sequencer(final Sequencer sequencer) {
        this.sequencer = sequencer;
    }

    /** Where the leader hint of a NOT_LEADER answer comes from; set before any batch is offered. */
    void cluster(final ClusterState cluster) {
        this.cluster = cluster;
    }

    @Override
    public void onRelease(final BatchEvent event) {
        long sessionId = event.sessionId();
        long correlationId = event.correlationId();
        if (sessionId == InternalAppender.SESSION_ID) {
            internal.onRelease(event);
            return;
        }
        if (sessionId < 0) {
            final int index = (int) ~sessionId;
            sessionId = pendingAcks.sessionId(index);
            correlationId = pendingAcks.correlationId(index);
            final long startNs = pendingAcks.startNs(index);
            if (!pendingAcks.complete(index)) {
                return;
            }
            if (null != latency) {
                latency.record(startNs, clock.nanoTime());
            }
        }
        final Session session = sessions.get(sessionId);
        if (null == session) {
            return;
        }
        final int result = event.result();
        final Partition partition = event.partition();
        final ErrorCode code = errorCode(result);
        final long baseOffset = SequencerResult.isSuccess(result) ? event.baseOffset() : -1;
        long logAppendTime = -1;
        if (result == SequencerResult.OK && partition.logAppendTime()) {
            logAppendTime = Batches.maxTimestamp(sequencer.dataBuffer(), event.dataOffset());
        }
        sender.sendProduce(
            session, correlationId, partition.partitionId(), baseOffset, logAppendTime, partition.log().startOffset(),
            code, code == ErrorCode.NOT_LEADER && null != cluster ? cluster.leaderId() : -1);
    }

    /** The protocol error code of a sequencer result. */
    static ErrorCode errorCode(final int result) {
        switch (result) {
            case SequencerResult.OK:
            case SequencerResult.DUPLICATE:
                return ErrorCode.NONE;
            case SequencerResult.BACK_PRESSURED:
                return ErrorCode.BACK_PRESSURED;
            case SequencerResult.TOO_LARGE:
                return ErrorCode.RECORD_TOO_LARGE;
            case SequencerResult.CORRUPT:
                return ErrorCode.CORRUPT_MESSAGE;
            case SequencerResult.OUT_OF_ORDER_SEQUENCE:
                return ErrorCode.OUT_OF_ORDER_SEQUENCE;
            case SequencerResult.INVALID_PRODUCER_EPOCH:
                return ErrorCode.INVALID_PRODUCER_EPOCH;
            case SequencerResult.UNKNOWN_PRODUCER_ID:
                return ErrorCode.UNKNOWN_PRODUCER_ID;
            case SequencerResult.STORAGE_ERROR:
                return ErrorCode.STORAGE_ERROR;
            case SequencerResult.CLOSED:
            case SequencerResult.NOT_COMMITTED:
                return ErrorCode.NOT_LEADER;
            default:
                return ErrorCode.UNKNOWN_SERVER_ERROR;
        }
    }
}

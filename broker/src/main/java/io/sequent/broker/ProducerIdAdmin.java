package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.InitProducerIdRequestDecoder;
import io.sequent.codec.client.InitProducerIdResponseEncoder;
import io.sequent.codec.client.MessageHeaderDecoder;
import io.sequent.codec.client.MessageHeaderEncoder;
import io.sequent.sequencer.SequencerResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * InitProducerId: idempotent producer ids. Admin thread only.
 *
 * <p>A new id comes from the block the last committed ProducerIdsRecord of the {@link MetadataLog} opened
 * ({@link ProducerIdAllocator}); when the block is used up, the next block's record is appended first and the
 * waiting requests are answered in order once it is committed (or {@code REQUEST_TIMED_OUT} after 30 s). A known
 * id gets its next epoch at once.
 */
final class ProducerIdAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerIdAdmin.class);
    private static final long TIMEOUT_MS = 30_000;

    private final TopicCatalog catalog;
    private final MetadataLog metadata;
    private final ProducerIdAllocator producerIds;
    private final ResponseSender sender;
    private final List<PendingInit> inits = new ArrayList<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final InitProducerIdRequestDecoder initDecoder = new InitProducerIdRequestDecoder();
    private final InitProducerIdResponseEncoder initEncoder = new InitProducerIdResponseEncoder();
    private InternalAppend producerIdBlock;
    private long producerIdBlockLimit;

    ProducerIdAdmin(
        final TopicCatalog catalog,
        final MetadataLog metadata,
        final ProducerIdAllocator producerIds,
        final ResponseSender sender) {
        this.catalog = catalog;
        this.metadata = metadata;
        this.producerIds = producerIds;
        this.sender = sender;
    }

    /** A block the leader wrote was replicated here: ids below its bound are never handed out by this member. */
    void onReplicatedBlock(final long limit) {
        producerIds.skipTo(limit);
    }

    /** An InitProducerId request waiting for a new id (the next block's record to commit). */
    private static final class PendingInit {
        final long sessionId;
        final long correlationId;
        final long deadlineNs;

        PendingInit(final long sessionId, final long correlationId, final long deadlineNs) {
            this.sessionId = sessionId;
            this.correlationId = correlationId;
            this.deadlineNs = deadlineNs;
        }
    }

    void onInitProducerId(final AdminRequest request, final Session session, final long nowNs) {
        final InitProducerIdRequestDecoder decoder = initDecoder.wrapAndApplyHeader(request.frame, 0, headerDecoder);
        final long correlationId = decoder.correlationId();
        final long sessionId = decoder.sessionId();
        final long producerId = decoder.producerId();
        final short producerEpoch = decoder.producerEpoch();
        if (producerId >= 0 && !producerIds.wasAllocated(producerId)) {
            answerInit(session, correlationId, -1, (short) -1, ErrorCode.UNKNOWN_PRODUCER_ID);
        } else if (producerId >= 0 && producerEpoch < Short.MAX_VALUE) {
            answerInit(session, correlationId, producerId, (short) Math.max(0, producerEpoch + 1), ErrorCode.NONE);
        } else {
            inits.add(new PendingInit(sessionId, correlationId, nowNs + TimeUnit.MILLISECONDS.toNanos(
                TIMEOUT_MS)));
        }
    }

    /** Hands out new ids in request order, writing the next block's record when the current one is used up. */
    int poll(final long nowNs, final SessionTable sessions) {
        int work = 0;
        if (null != producerIdBlock && producerIdBlock.isDone()) {
            work++;
            if (producerIdBlock.isCommitted()) {
                catalog.onProducerIds(producerIds.limit(), producerIdBlockLimit);
                producerIds.onBlock(producerIdBlockLimit);
            } else {
                LOG.warn("cannot write a producer-id block: {}", SequencerResult.name(producerIdBlock.result()));
                final ErrorCode code = ProduceReleaseHandler.errorCode(producerIdBlock.result());
                for (final PendingInit init : inits) {
                    answerInit(sessions.get(init.sessionId), init.correlationId, -1, (short) -1, code);
                }
                inits.clear();
            }
            producerIdBlock = null;
        }
        while (!inits.isEmpty()) {
            final PendingInit init = inits.get(0);
            if (producerIds.hasNext()) {
                inits.remove(0);
                answerInit(sessions.get(init.sessionId), init.correlationId, producerIds.allocate(), (short) 0,
                    ErrorCode.NONE);
                work++;
                continue;
            }
            if (null == producerIdBlock) {
                producerIdBlockLimit = producerIds.nextBlockLimit();
                producerIdBlock = metadata.append(
                    metadata.records().producerIds(producerIds.limit(), producerIdBlockLimit));
            }
            break;
        }
        for (int i = inits.size() - 1; i >= 0; i--) {
            final PendingInit init = inits.get(i);
            if (nowNs - init.deadlineNs > 0) {
                inits.remove(i);
                answerInit(sessions.get(init.sessionId), init.correlationId, -1, (short) -1,
                    ErrorCode.REQUEST_TIMED_OUT);
                work++;
            }
        }
        return work;
    }

    private void answerInit(
        final Session session, final long correlationId, final long id, final short epoch, final ErrorCode code) {
        initEncoder.wrapAndApplyHeader(sender.buffer(), 0, sender.headerEncoder())
            .correlationId(correlationId)
            .producerId(id)
            .producerEpoch(epoch)
            .errorCode(code);
        sender.send(session, MessageHeaderEncoder.ENCODED_LENGTH + initEncoder.encodedLength());
    }
}

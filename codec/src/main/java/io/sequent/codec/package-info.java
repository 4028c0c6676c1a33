/**
 * Sequent's wire and storage formats: the record batch and the client and replication protocols.
 *
 * <p>Formats are SBE schemas under {@code src/main/resources/sbe/}; the flyweights generated from
 * them live in {@code io.sequent.codec.batch}, {@code io.sequent.codec.client} and
 * {@code io.sequent.codec.replication}. This package holds what the generated code does not give:
 *
 * <ul>
 *   <li>record batches: {@link io.sequent.codec.BatchBuilder} (producer), {@link io.sequent.codec.Batches}
 *       (validation, stamping and field access for brokers and the log), {@link io.sequent.codec.BatchReader}
 *       (consumer), {@link io.sequent.codec.BatchIterator} (frames back to back),
 *       {@link io.sequent.codec.RecordHeaders}, {@link io.sequent.codec.Compression},
 *       {@link io.sequent.codec.Checksums} and the result codes of {@link io.sequent.codec.BatchError};</li>
 *   <li>protocol frames: {@link io.sequent.codec.ProtocolFrames#validate}, which must accept a frame
 *       before a generated decoder reads it, and its result codes {@link io.sequent.codec.FrameError}.</li>
 * </ul>
 *
 * <p>Rules throughout: nothing on a hot path allocates in steady state or throws; failures are
 * negative result codes; any byte sequence from the network or disk yields a result code, never an
 * exception, a hang, or an allocation larger than a configured maximum. Exceptions are reserved for
 * programming errors (arguments outside the caller's own buffer, calls out of order).
 */
package io.sequent.codec;

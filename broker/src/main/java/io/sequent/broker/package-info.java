/**
 * The Sequent broker: the composition root that runs a single node.
 *
 * <ul>
 *   <li>{@link io.sequent.broker.Broker} launches and closes it; {@link io.sequent.broker.BrokerContext} holds
 *   and documents every setting.</li>
 *   <li>Agents: {@code IngressAgent} (validates and routes every client frame, offers produce requests to the
 *   sequencer), {@code FetchAgent} (fetch and list-offsets, long polls), {@code AdminAgent} (sessions through
 *   {@code SessionManager}, topics through {@code TopicAdmin} and {@code ConfigAdmin}, producer ids through
 *   {@code ProducerIdAdmin}, timers);
 *   {@code ProduceReleaseHandler} answers produce requests on the sequencer's release stage.</li>
 *   <li>Shared state read without locks: {@code SessionTable} (sessions in slots), {@code TopicRegistry} (an
 *   immutable {@code TopicTable} replaced on every change), {@code PendingAcks} (acks=all timeouts).</li>
 *   <li>Persistence: the {@code MetadataLog} (internal partition {@code __cluster_metadata-0}, records encoded by
 *   {@code MetadataRecords}) whose replay builds the {@code TopicCatalog} (topics, ids, settings, producer-id
 *   bound); other threads write through the sequencer with the {@code InternalAppender}; {@code LegacyCatalog}
 *   migrates a data directory of the previous layout. {@code CountersFile} publishes the counters.</li>
 * </ul>
 *
 * <p>{@code docs/broker.md} describes threads, sessions, requests and settings.
 */
package io.sequent.broker;

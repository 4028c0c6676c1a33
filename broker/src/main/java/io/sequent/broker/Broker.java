package io.sequent.broker;

import io.aeron.Aeron;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import io.sequent.codec.client.ErrorCode;
import io.sequent.sequencer.IdleStrategies;
import io.sequent.sequencer.Sequencer;
import io.sequent.sequencer.SequencerContext;
import io.sequent.sequencer.SequencerCounters;
import io.sequent.sequencer.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A single-node Sequent broker: the composition root that wires the media driver, the Aeron client, the
 * write pipeline ({@link Sequencer}) and the broker's agents, and takes them down again.
 *
 * <pre>
 *   clients --UDP--> [media driver] --ingress image--> IngressAgent --offer--> Sequencer (4 stages)
 *                                                          |                      | release: ProduceResponse
 *                                                          +--ring buffer--> FetchAgent --vector offer--> clients
 *                                                          +--queue--------> AdminAgent (sessions, topics, timers)
 * </pre>
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@code broker.threading.mode=shared} (default on four cores or fewer): one hot thread,
 *   {@code sequent-broker}, runs the embedded media driver (Aeron's INVOKER mode: conductor, sender and receiver
 *   stepped by {@link DriverDuty}), the ingress (which also steps the Aeron client's conductor), the sequencer's
 *   four stages (in its INVOKER mode), the replica agent and the fetch agent, idling per
 *   {@code broker.idle.strategy}; with {@code aeron.driver.embedded=false} the driver is another process's;</li>
 *   <li>{@code dedicated}: the embedded media driver in SHARED mode on a thread of its own
 *   ({@code aeron.driver.idle.strategy}), {@code sequent-ingress} and {@code sequent-fetch} threads, and the
 *   sequencer's own threads per {@code sequencer.threading.mode};</li>
 *   <li>{@code sequent-admin}: connects, topic administration and housekeeping, parking up to 10 ms when
 *   idle.</li>
 * </ul>
 *
 * <h2>Lifecycle</h2>
 * {@link #launch} locks the data directory, reopens (and so recovers) every topic in the catalog, starts the
 * media driver and the Aeron client, adds the ingress subscription (resolving an ephemeral port), starts the
 * agents, and returns once clients can connect. {@link #close()} stops the ingress and the other agents, closes
 * the sequencer (which drains in-flight batches, forces the logs and writes their clean-shutdown markers), closes
 * the sessions' publications, the Aeron client and the driver, and unlocks the data directory.
 */
public final class Broker implements AutoCloseable {
    /** Name of the file in the data directory that only one broker may lock. */
    public static final String LOCK_FILE = ".broker.lock";
    /** Exit status of a broker process that stopped because it cannot serve any more and must be restarted. */
    public static final int EXIT_RESTART = 75;
    /** Name of the file in the data directory that holds the cluster id. */
    public static final String CLUSTER_ID_FILE = "cluster.id";
    /** Directory, under data.dir, of the group-sequence journal (seq -> topic id, partition, offset, epoch). */
    public static final String GROUP_JOURNAL_DIR = "group-journal";

    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    private static final int FETCH_RING_BYTES = 4 * 1024 * 1024;
    private static final int ADMIN_QUEUE_CAPACITY = 1024;
    private static final int CONTROL_QUEUE_CAPACITY = 1024;
    private static final long RESOLVE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int CLOSE_LINGER_QUIET_STEPS = 10;
    private static final long CLOSE_LINGER_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final BrokerContext ctx;
    private final SessionTable sessions;
    private final InternalAppender internalAppender = new InternalAppender();
    private final ProduceLatency latency = new ProduceLatency();
    private volatile MetricsServer metrics;
    private CountersFile countersFile;
    private BrokerCounters counters;
    private final TopicRegistry registry = new TopicRegistry();
    private final List<AgentRunner> hotRunners = new ArrayList<>();
    private AgentRunner adminRunner;
    private FileChannel lockChannel;
    private FileLock lock;
    private Sequencer sequencer;
    private MediaDriver driver;
    private DriverDuty driverDuty;
    private Aeron aeron;
    private Subscription ingressSubscription;
    private volatile SessionManager sessionManager;
    private volatile IngressAgent ingressAgent;
    private ClusterState cluster;
    private ReplicaAgent replicaAgent;
    private ManyToOneConcurrentArrayQueue<Runnable> ingressControl;
    private String ingressEndpoint;
    private String clusterId;
    private volatile boolean closed;
    private final RateLimitedLog driverErrors = RateLimitedLog.warnings(LOG, SystemNanoClock.INSTANCE);
    private final CompletableFuture<String> fatal = new CompletableFuture<>();

    private Broker(final BrokerContext ctx) {
        this.ctx = ctx;
        this.sessions = new SessionTable(ctx.maxSessions(), ctx.epochClock().time());
    }

    /**
     * Starts a broker and returns once it accepts clients.
     *
     * @param ctx the settings; concluded here.
     * @return the running broker.
     * @throws BrokerException when a setting is invalid, the data directory is in use or unusable, or the media
     *                         driver or the ingress channel cannot be started; nothing is left running.
     */
    public static Broker launch(final BrokerContext ctx) {
        ctx.conclude();
        final Broker broker = new Broker(ctx);
        try {
            broker.start();
            return broker;
        } catch (final RuntimeException | Error ex) {
            broker.close();
            throw ex;
        }
    }

    private void start() {
        StartGuard.check(ctx);
        final Path dataDir = ctx.dataDir();
        lockDataDir(dataDir);
        clusterId = clusterId(dataDir);
        countersFile = CountersFile.create(dataDir, ctx.epochClock().time());
        counters = new BrokerCounters(countersFile.manager(), ctx.brokerId());

        final PendingAcks pendingAcks;
        final SequencerContext sequencerContext = ctx.sequencerContext();
        sequencerContext.counters(new SequencerCounters(countersFile.manager()));
        final boolean stepSequencer = ctx.threadingMode() == BrokerContext.ThreadingMode.SHARED ||
            sequencerContext.threadingMode() == ThreadingMode.INVOKER;
        if (ctx.threadingMode() == BrokerContext.ThreadingMode.SHARED) {
            sequencerContext.threadingMode(ThreadingMode.INVOKER);
        }
        pendingAcks = new PendingAcks(sequencerContext.ringSize());
        final ProduceReleaseHandler releaseHandler =
            new ProduceReleaseHandler(sessions, pendingAcks, internalAppender, counters, latency, ctx.nanoClock());
        final ClusterMembers members = ctx.clusterMembers();
        cluster = new ClusterState(ctx.brokerId(), members);
        final LiveStream liveStream =
            new LiveStream(members.isConfigured() ? ctx.brokerId() : 0, counters.replicationFramesLost);
        releaseHandler.cluster(cluster);
        sequencerContext
            .replicationSink(liveStream)
            .journalListener(liveStream)
            .commitPosition(cluster)
            .releaseHandler(releaseHandler)
            .errorHandler(ex -> LOG.error("sequencer error", ex));
        if (null == sequencerContext.groupJournalDir()) {
            sequencerContext.groupJournalDir(dataDir.resolve(GROUP_JOURNAL_DIR));
        }
        sequencer = Sequencer.launch(sequencerContext);
        releaseHandler.sequencer(sequencer);

        final TopicCatalog catalog = new TopicCatalog(dataDir);
        final MetadataLog metadata = MetadataLog.open(ctx, sequencer, internalAppender);
        metadata.replay(catalog);
        final LegacyCatalog legacy = new LegacyCatalog(dataDir);
        final List<byte[]> migration = metadata.planMigration(legacy, catalog);
        catalog.finishDeletions();
        final ResponseSender adminSender =
            new ResponseSender(new ExpandableDirectByteBuffer(64 * 1024), counters);
        final TopicAdmin topicAdmin =
            new TopicAdmin(ctx, sequencer, registry, catalog, metadata, adminSender, clusterId);
        final ProducerIdAdmin producerIdAdmin = new ProducerIdAdmin(
            catalog, metadata, new ProducerIdAllocator(catalog.producerIdLimit()), adminSender);
        final ConfigAdmin configAdmin = new ConfigAdmin(ctx, registry, catalog, metadata, adminSender);
        topicAdmin.recover();
        final OffsetsLog offsetsLog = OffsetsLog.open(ctx, sequencer, internalAppender);
        final GroupCoordinator coordinator =
            new GroupCoordinator(topic -> GroupRequests.partitionCount(registry, topic));
        final long committedOffsets = offsetsLog.replay(coordinator);
        LOG.info("recovered {} consumer groups from {} ({} offset records)", coordinator.groups().size(),
            OffsetsLog.PARTITION_DIR, committedOffsets);
        // every partition is open: the journal must agree with the logs before the replica node reads the log's end
        // (its vote, its join, its first acknowledgement); a member of a group keeps only the prefix it holds whole
        sequencer.reconcileJournal(members.size() > 1);
        LOG.info("group-sequence journal reconciled with the logs: log end seq {} epoch {}",
            sequencer.lastSeq() + 1, sequencer.lastEpoch());

        final boolean driverOnBrokerThread = ctx.driverOnBrokerThread();
        if (ctx.embeddedDriver()) {
            driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(ctx.aeronDir())
                .threadingMode(driverOnBrokerThread ? io.aeron.driver.ThreadingMode.INVOKER :
                    io.aeron.driver.ThreadingMode.SHARED)
                .sharedIdleStrategy(IdleStrategies.parse(ctx.driverIdleStrategy()))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .warnIfDirectoryExists(false)
                .publicationTermBufferLength(BrokerContext.TERM_LENGTH_BYTES)
                .termBufferSparseFile(true)
                .asyncExecutorEnabled(false)
                .errorHandler(ex -> driverErrors.warn("media driver error: " + ex, ex)));
        }
        if (driverOnBrokerThread) {
            driverDuty = new DriverDuty(driver.sharedAgentInvoker(), ex -> LOG.error("media driver error", ex));
        }
        try {
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(ctx.aeronDir())
                .clientName("sequent-broker-" + ctx.brokerId())
                .useConductorAgentInvoker(true)
                .driverAgentInvoker(null == driverDuty ? null : driverDuty.awaitingInvoker())
                .errorHandler(this::onAeronError));
        } catch (final RuntimeException ex) {
            throw new BrokerException(ErrorCode.UNKNOWN_SERVER_ERROR, "cannot connect to the media driver in " +
                BrokerContext.AERON_DIR_PROP + "=" + ctx.aeronDir() +
                (ctx.embeddedDriver() ? "" : " (" + BrokerContext.EMBEDDED_DRIVER_PROP + "=false: is it running?)") +
                ": " + ex, ex);
        }

        final ManyToOneConcurrentArrayQueue<AdminRequest> adminRequests =
            new ManyToOneConcurrentArrayQueue<>(ADMIN_QUEUE_CAPACITY);
        final ManyToOneConcurrentArrayQueue<Runnable> adminEvents =
            new ManyToOneConcurrentArrayQueue<>(CONTROL_QUEUE_CAPACITY);
        ingressControl = new ManyToOneConcurrentArrayQueue<>(CONTROL_QUEUE_CAPACITY);
        final ManyToOneConcurrentArrayQueue<Runnable> fetchControl =
            new ManyToOneConcurrentArrayQueue<>(CONTROL_QUEUE_CAPACITY);

        try {
            ingressSubscription = aeron.addSubscription(
                ctx.ingressChannel(), BrokerContext.INGRESS_STREAM_ID,
                image -> LOG.debug("client image {} from {} available", image.sessionId(), image.sourceIdentity()),
                image -> onImageLost(image, adminEvents));
        } catch (final RuntimeException ex) {
            throw new BrokerException(ErrorCode.UNKNOWN_SERVER_ERROR, "cannot listen on " + ctx.ingressChannel() +
                " (" + BrokerContext.HOST_PROP + ", " + BrokerContext.PORT_PROP + "): " + ex.getMessage(), ex);
        }
        ingressEndpoint = resolveEndpoint();
        final String advertisedChannel = "aeron:udp?endpoint=" + ingressEndpoint;

        sessionManager = new SessionManager(aeron, sessions, ctx, counters, adminSender, advertisedChannel);
        sessionManager.pollAlso(driverErrors);
        final OneToOneRingBuffer fetchRequests = new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(FETCH_RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
        final IngressAgent ingress = new IngressAgent(
            ingressSubscription, aeron.conductorAgentInvoker(), sessions, registry, sequencer, pendingAcks,
            fetchRequests, adminRequests, ingressControl, counters, internalAppender, ctx.nanoClock(),
            TimeUnit.MILLISECONDS.toNanos(ctx.produceTimeoutMs()));
        ingressAgent = ingress;
        final FetchAgent fetch = new FetchAgent(
            fetchRequests, fetchControl, registry, sessions, counters, ctx.brokerId(), ctx.fetchMaxBytes(),
            ctx.nanoClock());
        topicAdmin.agents(ingress, ingressControl, fetch, fetchControl, advertisedChannel);
        final GroupRequests groupRequests =
            new GroupRequests(coordinator, offsetsLog, registry, adminSender, sessions, ctx.epochClock(),
                ctx.offsetsRetentionMs(), members.size() > 1);
        final AdminAgent admin = new AdminAgent(adminRequests, adminEvents, sessions, sessionManager, topicAdmin,
            configAdmin, producerIdAdmin, groupRequests, pendingAcks, adminSender, counters, ctx.nanoClock());

        final ReplicatedMetadata replicatedMetadata =
            new ReplicatedMetadata(ctx, sequencer, registry, catalog, adminEvents);
        replicatedMetadata.admins(topicAdmin, producerIdAdmin);
        final MemberLogAdapter memberLog = new MemberLogAdapter(sequencer, metadata.partition(), cluster,
            replicatedMetadata, ctx.epochClock(), sequencerContext.ringSize());
        replicaAgent = new ReplicaAgent(ctx, aeron, sequencer, memberLog, cluster, liveStream,
            QuorumStateFile.open(dataDir), counters.replicationFramesLost, counters.replicationFramesInvalid,
            counters.replicationReplaysRequested);
        ingress.cluster(cluster);
        final ClusterAdmin clusterAdmin = new ClusterAdmin(ctx, cluster, adminSender, advertisedChannel);
        clusterAdmin.agent(replicaAgent);
        admin.cluster(cluster, clusterAdmin);
        sessionManager.cluster(cluster);
        topicAdmin.cluster(cluster);

        final ErrorHandler errorHandler = ex -> LOG.error("broker agent error", ex);
        final Agent stepper = stepSequencer ? new SequencerStepper(sequencer.invoker()) : null;
        if (ctx.threadingMode() == BrokerContext.ThreadingMode.SHARED) {
            hotRunners.add(new AgentRunner(IdleStrategies.parse(ctx.idleStrategy()), errorHandler, counters.errors,
                new NamedCompositeAgent("sequent-broker", driverDuty, ingress, stepper, replicaAgent, fetch)));
        } else {
            final Agent ingressAgent = new NamedCompositeAgent("sequent-ingress", ingress, stepper, replicaAgent);
            hotRunners.add(new AgentRunner(
                IdleStrategies.parse(ctx.idleStrategy()), errorHandler, counters.errors, ingressAgent));
            hotRunners.add(new AgentRunner(
                IdleStrategies.parse(ctx.idleStrategy()), errorHandler, counters.errors, fetch));
        }
        adminRunner = new AgentRunner(adminIdleStrategy(), errorHandler, counters.errors,
            new NamedCompositeAgent(admin.roleName(), admin,
                new PositionSampler(sequencer, counters, ctx.nanoClock())));
        if (null != driverDuty) {
            driverDuty.handOver();
        }
        for (final AgentRunner runner : hotRunners) {
            AgentRunner.startOnThread(runner);
        }
        AgentRunner.startOnThread(adminRunner);
        if (members.size() == 1) {
            awaitLeadership();
        }
        metrics = MetricsServer.start(
            new BrokerMetrics(countersFile.manager(), latency, registry, groupRequests), countersFile.manager(),
            ctx.metricsHost(), ctx.metricsPort(), dataDir.toAbsolutePath().toString());
        metadata.completeMigration(migration, legacy);
        LOG.info("broker {} accepting clients on {} stream {} ({} threading, data in {}, aeron dir {})",
            ctx.brokerId(), advertisedChannel, BrokerContext.INGRESS_STREAM_ID,
            ctx.threadingMode().name().toLowerCase(java.util.Locale.ROOT), dataDir, ctx.aeronDir());
    }

    /**
     * The Aeron client's error handler. A timeout of the client's conductor (the process was paused longer than the
     * driver's client liveness timeout: a long GC pause, a stalled VM, {@code SIGSTOP}), of the driver, or of this
     * client by the driver leaves the client closed: no subscription or publication works again, so every client
     * would see {@code no broker reachable} for good. The broker then reports one fatal reason through
     * {@link #fatal()} (the {@code sequent broker start} command prints it and exits with
     * {@link #EXIT_RESTART} so that a supervisor restarts it) instead of living on unreachable.
     */
    private void onAeronError(final Throwable ex) {
        final Aeron client = aeron;
        final boolean lost = ex instanceof ConductorServiceTimeoutException || ex instanceof DriverTimeoutException ||
            ex instanceof ClientTimeoutException || (null != client && client.isClosed());
        if (!lost) {
            LOG.warn("aeron client error", ex);
            return;
        }
        final String reason = "the broker lost its Aeron client (" + ex.getClass().getSimpleName() + ": " +
            String.valueOf(ex.getMessage()).replace('\n', ' ') + "), as after a pause longer than the media " +
            "driver's client liveness timeout; it must be restarted";
        if (fatal.complete(reason)) {
            // the owner reports it (the command line prints it as its one error line)
            LOG.debug(reason, ex);
        }
    }

    /**
     * Completed, once, with a one-line reason when the broker can no longer serve and must be restarted (its Aeron
     * client timed out). A program embedding the broker should close it and start a new one; the command line exits
     * with {@link #EXIT_RESTART}.
     *
     * @return the future reason.
     */
    public CompletableFuture<String> fatal() {
        return fatal;
    }

    /**
     * The admin thread's idle strategy: a few yields after a request (a burst of admin requests is served at
     * once), then parks doubling up to the acks-timeout scan interval, so an idle admin thread wakes about 100
     * times a second instead of 1,000.
     */
    static IdleStrategy adminIdleStrategy() {
        return new BackoffIdleStrategy(1, 100, TimeUnit.MICROSECONDS.toNanos(50), AdminAgent.ACK_SCAN_INTERVAL_NS);
    }

    private void onImageLost(final Image image, final ManyToOneConcurrentArrayQueue<Runnable> adminEvents) {
        final long imageCorrelationId = image.correlationId();
        final int aeronSessionId = image.sessionId();
        LOG.debug("client image {} from {} unavailable", aeronSessionId, image.sourceIdentity());
        final boolean toAdmin = adminEvents.offer(() -> {
            final SessionManager manager = sessionManager;
            if (null != manager) {
                manager.onImageLost(imageCorrelationId, aeronSessionId);
            }
        });
        final boolean toIngress = ingressControl.offer(() -> {
            final IngressAgent ingress = ingressAgent;
            if (null != ingress) {
                ingress.onImageLost(aeronSessionId);
            }
        });
        if (!toAdmin || !toIngress) {
            LOG.warn("control queue full: the sessions of lost image {} end by timeout instead", aeronSessionId);
        }
    }

    /** A group of one elects itself on its first duty cycle: launch returns once it takes writes. */
    private void awaitLeadership() {
        final long deadline = System.nanoTime() + RESOLVE_TIMEOUT_NS;
        while (!cluster.isWritable()) {
            if (System.nanoTime() - deadline > 0) {
                throw new BrokerException(ErrorCode.UNKNOWN_SERVER_ERROR,
                    "the broker did not become the leader of its group of one within 10 s");
            }
            sleepQuietly();
        }
    }

    private String resolveEndpoint() {
        if (0 != ctx.port()) {
            return ctx.host() + ":" + ctx.port();
        }
        final AgentInvoker invoker = aeron.conductorAgentInvoker();
        final long deadline = System.nanoTime() + RESOLVE_TIMEOUT_NS;
        while (true) {
            final String endpoint = ingressSubscription.resolvedEndpoint();
            if (null != endpoint) {
                return endpoint;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BrokerException(ErrorCode.UNKNOWN_SERVER_ERROR,
                    "the ingress channel " + ctx.ingressChannel() + " did not resolve its port within 10 s");
            }
            if (null != invoker) {
                invoker.invoke();
            }
            if (null != driverDuty) {
                driverDuty.step();
            }
            sleepQuietly();
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new BrokerException(ErrorCode.UNKNOWN_SERVER_ERROR, "interrupted while starting", ex);
        }
    }

    private void lockDataDir(final Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            lockChannel = FileChannel.open(dataDir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
        } catch (final OverlappingFileLockException ex) {
            lock = null;
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR,
                BrokerContext.DATA_DIR_PROP + " " + dataDir + " cannot be used: " + ex, ex);
        }
        if (null == lock) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR,
                BrokerContext.DATA_DIR_PROP + " " + dataDir + " is in use by another broker");
        }
    }

    private static String clusterId(final Path dataDir) {
        final Path file = dataDir.resolve(CLUSTER_ID_FILE);
        try {
            if (Files.exists(file)) {
                return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
            }
            final String id = UUID.randomUUID().toString();
            final Path temp = dataDir.resolve(CLUSTER_ID_FILE + ".tmp");
            Files.write(temp, id.getBytes(StandardCharsets.UTF_8));
            TopicCatalog.fsync(temp);
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            TopicCatalog.fsync(dataDir);
            return id;
        } catch (final IOException ex) {
            throw new BrokerException(ErrorCode.STORAGE_ERROR, "cannot read or write " + file + ": " + ex, ex);
        }
    }

    /**
     * @return the ingress endpoint as {@code host:port}, with the port resolved when {@code broker.port} is 0.
     */
    public String ingressEndpoint() {
        return ingressEndpoint;
    }

    /**
     * @return the ingress channel clients publish to (stream {@link BrokerContext#INGRESS_STREAM_ID}).
     */
    public String ingressChannel() {
        return "aeron:udp?endpoint=" + ingressEndpoint;
    }

    /** The ingress subscription (tests and diagnostics). */
    Subscription ingressSubscription() {
        return ingressSubscription;
    }

    /**
     * @return the Aeron directory of the media driver the broker uses.
     */
    public String aeronDirectoryName() {
        return ctx.aeronDir();
    }

    /** @return true when this broker leads its replica group and takes writes. */
    public boolean isLeader() {
        return null != cluster && cluster.isWritable();
    }

    /** @return the group's leader as this broker knows it, -1 when unknown. */
    public int leaderId() {
        return null == cluster ? -1 : cluster.leaderId();
    }

    /** @return the current epoch of the replica group as this broker knows it. */
    public int epoch() {
        return null == cluster ? 0 : cluster.epoch();
    }

    /** @return the commit position (group seq) this broker releases acks=all and high watermarks by. */
    public long commitGroupSeq() {
        return null == cluster ? -1 : cluster.commitSeq();
    }

    /** @return the group seq of the last batch in this member's group-sequence journal: its log's end, less one. */
    public long journalLastSeq() {
        return null == sequencer ? -1 : sequencer.lastSeq();
    }

    /**
     * @return the settings in force.
     */
    public BrokerContext context() {
        return ctx;
    }

    /**
     * @return the broker's counters.
     */
    public BrokerCounters counters() {
        return counters;
    }

    /**
     * @return the write pipeline's counters.
     */
    public SequencerCounters sequencerCounters() {
        return sequencer.counters();
    }

    /**
     * @return the names of the topics that exist, sorted; internal topics are not listed.
     */
    public List<String> topicNames() {
        final List<String> names = new ArrayList<>();
        for (final Topic topic : registry.table().topics()) {
            if (!topic.isInternal()) {
                names.add(topic.name());
            }
        }
        return names;
    }

    /**
     * @param name a topic name.
     * @return the topic's id in the metadata log, or -1 when no such topic exists.
     */
    public int topicId(final String name) {
        final Topic topic = registry.table().get(name);
        return null == topic ? -1 : topic.id();
    }

    /**
     * @return the file the broker's and the sequencer's counters are published in, for other processes
     * ({@link CountersFile#openForReading}).
     */
    public Path countersFile() {
        return ctx.dataDir().resolve(CountersFile.FILE_NAME);
    }

    /**
     * @return the port of the Prometheus endpoint {@code /metrics}, or -1 when {@code metrics.port} is not set.
     */
    public int metricsPort() {
        final MetricsServer server = metrics;
        return null == server ? -1 : server.port();
    }

    /**
     * @return the name of the counters MBean on the platform MBean server, or null when it could not be
     *     registered.
     */
    public javax.management.ObjectName countersMBean() {
        final MetricsServer server = metrics;
        return null == server ? null : server.mbeanName();
    }

    /**
     * @return the number of open client sessions.
     */
    public int sessionCount() {
        return sessions.snapshot().size();
    }

    /**
     * @return the id of the cluster, stored in the data directory.
     */
    public String clusterId() {
        return clusterId;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops the broker gracefully: no new requests are read, in-flight batches are drained and made durable,
     * every log is closed with its clean-shutdown marker, sessions are closed, then the Aeron client and driver.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CloseHelper.quietClose(metrics);
        CloseHelper.quietCloseAll(hotRunners);
        CloseHelper.quietClose(adminRunner);
        if (null != driverDuty) {
            driverDuty.takeOver();
        }
        if (null != sequencer && null != replicaAgent) {
            drainReplicated();
        }
        if (null != sequencer) {
            try {
                sequencer.close();
            } catch (final RuntimeException ex) {
                LOG.warn("sequencer did not close cleanly", ex);
            }
        }
        if (null != driverDuty) {
            driverDuty.linger(CLOSE_LINGER_QUIET_STEPS, CLOSE_LINGER_NS);
        }
        CloseHelper.quietClose(sessionManager);
        CloseHelper.quietClose(ingressSubscription);
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(driver);
        // The counters file stays mapped until the mapping is collected: counters() may still be read after close.
        if (null != lock) {
            try {
                lock.release();
            } catch (final IOException ignore) {
                // closing the channel releases it
            }
        }
        if (null != lockChannel) {
            LOG.info("broker {} closed", ctx.brokerId()); // not for a start refused before it held anything
        }
        CloseHelper.quietClose(lockChannel);
    }

    /**
     * Before the sequencer drains: a group of one commits what it journals, so this thread steps the replica agent
     * (whose thread has stopped; it holds no transport) until the batches in flight are committed and answered. A
     * member of a larger group cannot count on its peers while it closes: the batches still waiting for their
     * commit are given up and answered NOT_LEADER (an idempotent producer retries them against the new leader).
     */
    private void drainReplicated() {
        if (ctx.clusterMembers().size() > 1) {
            cluster.abandonThrough(sequencer.lastOfferedSequence());
            return;
        }
        final long deadline =
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.sequencerContext().closeTimeoutMs());
        while (!sequencer.isIdle() && System.nanoTime() - deadline < 0) {
            if (null != sequencer.invoker()) {
                sequencer.invoker().invoke();
            } else {
                LockSupport.parkNanos(100_000);
            }
            replicaAgent.doWork();
            if (null != driverDuty) {
                driverDuty.step();
            }
        }
    }

    /**
     * Runs a broker until the process is told to stop (SIGINT or SIGTERM).
     *
     * @param args an optional properties file; system properties override its keys.
     */
    public static void main(final String[] args) {
        final Path config = args.length > 0 ? Paths.get(args[0]) : null;
        final BrokerContext ctx = BrokerContext.fromProperties(BrokerContext.load(config));
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            Broker broker = launch(ctx)) {
            LOG.info("broker {} running; stop it with Ctrl-C", broker.ctx.brokerId());
            barrier.await();
        }
    }

    /** Steps the sequencer's stages when it runs in INVOKER mode on one of the broker's threads. */
    static final class SequencerStepper implements Agent {
        private final AgentInvoker invoker;

        SequencerStepper(final AgentInvoker invoker) {
            this.invoker = invoker;
        }

        @Override
        public int doWork() {
            return invoker.invoke();
        }

        @Override
        public String roleName() {
            return "sequent-sequencer";
        }
    }

    /** A composite agent with a thread name of its own. */
    static final class NamedCompositeAgent extends CompositeAgent {
        private final String name;

        NamedCompositeAgent(final String name, final Agent... agents) {
            super(nonNull(agents));
            this.name = name;
        }

        private static Agent[] nonNull(final Agent[] agents) {
            final List<Agent> list = new ArrayList<>();
            for (final Agent agent : agents) {
                if (null != agent) {
                    list.add(agent);
                }
            }
            return list.toArray(new Agent[0]);
        }

        @Override
        public String roleName() {
            return name;
        }
    }
}

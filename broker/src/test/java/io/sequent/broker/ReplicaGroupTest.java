package io.sequent.broker;

import io.sequent.codec.client.Acks;
import io.sequent.codec.client.ConnectResponseDecoder;
import io.sequent.codec.client.ErrorCode;
import io.sequent.codec.client.MemberRole;
import io.sequent.log.LogConfig;
import io.sequent.log.LogResult;
import io.sequent.log.PartitionLog;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three brokers in one JVM form a replica group over real Aeron on 127.0.0.1, each with its own embedded media
 * driver, data directory and ports (election timeout 400 ms, heartbeat 40 ms: the machine is shared): one leader is
 * elected, acks=all is answered only once a majority holds a batch, every member holds the same batches at the same
 * offsets and the same topics, followers answer writes NOT_LEADER with the leader's id and serve fetches up to their
 * committed high watermark, a killed leader is replaced and, restarted, catches up and cuts its divergent tail.
 */
class ReplicaGroupTest {
    private static final long WAIT_MS = 20_000;

    @TempDir
    Path root;

    private final Broker[] brokers = new Broker[3];
    private String members;
    private int electionTimeoutMs = 400;

    @AfterEach
    void close() {
        for (int i = 0; i < brokers.length; i++) {
            stop(i);
        }
    }

    private BrokerContext context(final int id) {
        final BrokerContext ctx = TestSupport.context(root.resolve("member-" + id))
            .brokerId(id)
            .clusterMembers(members)
            .port(port(id))
            .aeronDir("/dev/shm/sequent-test-" + UUID.randomUUID())
            .electionTimeoutMs(electionTimeoutMs)
            .heartbeatIntervalMs(40);
        ctx.sequencerContext().closeTimeoutMs(2_000);
        return ctx;
    }

    private int port(final int id) {
        final String entry = members.split(",")[id];
        return Integer.parseInt(entry.substring(entry.lastIndexOf(':') + 1));
    }

    private void start(final int id) {
        brokers[id] = Broker.launch(context(id));
    }

    private void stop(final int id) {
        if (null != brokers[id]) {
            brokers[id].close();
            brokers[id] = null;
        }
    }

    private void startGroup() {
        members = freeMembers();
        for (int i = 0; i < 3; i++) {
            start(i);
        }
    }

    /** Three members on 127.0.0.1, each with three free UDP ports (ingress, replication = +1, control = +2). */
    private static String freeMembers() {
        for (int attempt = 0; attempt < 100; attempt++) {
            final int base = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
            boolean free = true;
            for (int p = base; p < base + 30 && free; p++) {
                free = isFree(p);
            }
            if (free) {
                return "0@127.0.0.1:" + base + ",1@127.0.0.1:" + (base + 10) + ",2@127.0.0.1:" + (base + 20);
            }
        }
        throw new AssertionError("no free UDP ports");
    }

    private static boolean isFree(final int port) {
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (final IOException ex) {
            return false;
        }
    }

    private static void await(final String what, final BooleanSupplier condition) {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out waiting for " + what);
            }
            TestClient.sleep(5);
        }
    }

    /** Waits until exactly one running member leads and every running member names it. */
    private int awaitLeader() {
        final int[] leader = {-1};
        await("one leader that every running member knows", () -> {
            int found = -1;
            for (int i = 0; i < brokers.length; i++) {
                if (null != brokers[i] && brokers[i].isLeader()) {
                    if (found >= 0) {
                        return false;
                    }
                    found = i;
                }
            }
            if (found < 0) {
                return false;
            }
            for (final Broker broker : brokers) {
                if (null != broker && broker.leaderId() != found) {
                    return false;
                }
            }
            leader[0] = found;
            return true;
        });
        return leader[0];
    }

    private static TestClient connect(final Broker broker) {
        final TestClient client = new TestClient(broker);
        client.connect("test");
        return client;
    }

    /** Every record of partition 0 of {@code topic} a member serves, as "offset:value". */
    private static List<String> records(final Broker broker, final String topic) {
        return records(broker, topic, 0);
    }

    /** Every record of one partition of {@code topic} a member serves, as "offset:value". */
    private static List<String> records(final Broker broker, final String topic, final int partition) {
        try (TestClient client = connect(broker)) {
            final List<String> out = new ArrayList<>();
            long offset = 0;
            while (true) {
                final TestClient.FetchedPartition p =
                    client.fetch(topic, partition, offset, 0, 1 << 20).partition(partition);
                assertEquals(ErrorCode.NONE, p.code);
                final List<TestSupport.Record> batch = TestSupport.records(p.records, p.highWatermark);
                if (batch.isEmpty()) {
                    return out;
                }
                for (final TestSupport.Record r : batch) {
                    out.add(r.offset + ":" + r.value);
                }
                offset = batch.get(batch.size() - 1).offset + 1;
            }
        }
    }

    private static List<String> expected(final String prefix, final int count, final int firstOffset) {
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add((firstOffset + i) + ":" + prefix + i);
        }
        return out;
    }

    @Test
    void threeMembersElectOneLeaderReplicateTopicsAndRecordsAndFollowersRefuseWrites() {
        startGroup();
        final int leader = awaitLeader();
        final int follower = (leader + 1) % 3;
        try (TestClient client = connect(brokers[leader])) {
            assertEquals(ErrorCode.NONE, client.createTopic("t", 1).code);
            await("the topic on every member", () -> brokers[0].topicNames().contains("t") &&
                brokers[1].topicNames().contains("t") && brokers[2].topicNames().contains("t"));
            for (int i = 0; i < 20; i++) {
                final TestClient.ProduceResult r = client.produce("t", 0, Acks.ALL, TestSupport.batch("v" + i));
                assertEquals(ErrorCode.NONE, r.code, r.toString());
                assertEquals(i, r.baseOffset);
            }
        }
        final List<String> want = expected("v", 20, 0);
        for (int i = 0; i < 3; i++) {
            final Broker member = brokers[i];
            await("member " + i + " serves every committed record", () -> records(member, "t").equals(want));
        }

        try (TestClient client = connect(brokers[follower])) {
            final ConnectResponseDecoder connect = client.connect("again");
            assertEquals(ErrorCode.NONE, connect.errorCode(), "any member takes a session");
            assertEquals(leader, connect.leaderId());
            assertEquals(brokers[leader].epoch(), connect.leaderEpoch());
            assertEquals("aeron:udp?endpoint=127.0.0.1:" + port(leader), connect.leaderIngressChannel());

            final TestClient.ProduceResult refused = client.produce("t", 0, Acks.ALL, TestSupport.batch("x"));
            assertEquals(ErrorCode.NOT_LEADER, refused.code);
            assertEquals(leader, refused.leaderId, "the leader hint");
            final TestClient.TopicResult create = client.createTopic("u", 1);
            assertEquals(ErrorCode.NOT_LEADER, create.code);
            assertTrue(create.message.contains("broker " + leader), create.message);

            final TestClient.Metadata metadata = client.metadata("t");
            assertEquals(leader, metadata.leaderId);
            assertEquals(3, metadata.brokers.size(), "every member is listed");
            assertEquals("aeron:udp?endpoint=127.0.0.1:" + port(2), metadata.brokers.get(2));
            assertEquals(List.of(leader), metadata.topics.get("t").leaders);
        }
    }

    @Test
    void groupRequestsToAFollowerAreAnsweredNotLeaderAndTheCoordinatorStateStaysOnTheLeader() {
        startGroup();
        final int leader = awaitLeader();
        final int follower = (leader + 1) % 3;
        final Object[] joined;
        try (TestClient client = connect(brokers[leader])) {
            assertEquals(ErrorCode.NONE, client.createTopic("t", 2).code);
            await("the topic on every member", () -> brokers[follower].topicNames().contains("t"));
            joined = TestClient.joined(client.memberJoin("g", "", "t"));
        }
        final String memberId = (String) joined[0];
        try (TestClient client = connect(brokers[follower])) {
            final TestClient.ErrorReply join = TestClient.errorReply(client.memberJoin("g", "", "t"));
            assertEquals(ErrorCode.NOT_LEADER, join.code, join.message);
            assertTrue(join.message.contains("broker " + leader), join.message);
            assertEquals(io.sequent.codec.client.MemberJoinRequestDecoder.TEMPLATE_ID, join.requestTemplateId);
            final TestClient.ErrorReply heartbeat =
                TestClient.errorReply(client.memberHeartbeat("g", memberId, (Integer) joined[1]));
            assertEquals(ErrorCode.NOT_LEADER, heartbeat.code, "not UNKNOWN_MEMBER_ID: " + heartbeat.message);
            final TestClient.ErrorReply delete = TestClient.errorReply(client.deleteGroup("g"));
            assertEquals(ErrorCode.NOT_LEADER, delete.code, delete.message);
        }
        try (TestClient client = connect(brokers[leader])) {
            final TestClient.Response beat = client.memberHeartbeat("g", memberId, (Integer) joined[1]);
            assertEquals(io.sequent.codec.client.HeartbeatResponseDecoder.TEMPLATE_ID, beat.templateId,
                "the leader still holds the member: " + TestClient.describe(beat));
            final io.sequent.codec.client.DeleteGroupsResponseDecoder delete =
                new io.sequent.codec.client.DeleteGroupsResponseDecoder();
            delete.wrapAndApplyHeader(client.deleteGroup("g").frame, 0,
                new io.sequent.codec.client.MessageHeaderDecoder());
            final io.sequent.codec.client.DeleteGroupsResponseDecoder.GroupsDecoder groups = delete.groups();
            assertEquals(1, groups.count());
            assertEquals(ErrorCode.NON_EMPTY_GROUP, groups.next().errorCode(), "the member is still there");
        }
    }

    @Test
    void acksAllNeedsAMajorityAndAKilledLeaderIsReplacedAndCatchesUpWhenItReturns() {
        electionTimeoutMs = 1_000; // the lone leader must still lead when it takes the batch it will lose
        startGroup();
        final int leader = awaitLeader();
        final int f1 = (leader + 1) % 3;
        final int f2 = (leader + 2) % 3;
        try (TestClient client = connect(brokers[leader])) {
            assertEquals(ErrorCode.NONE, client.createTopic("t", 1).code);
            for (int i = 0; i < 5; i++) {
                assertEquals(ErrorCode.NONE, client.produce("t", 0, Acks.ALL, TestSupport.batch("a" + i)).code);
            }
            stop(f1);
            for (int i = 5; i < 10; i++) {
                assertEquals(ErrorCode.NONE, client.produce("t", 0, Acks.ALL, TestSupport.batch("a" + i)).code,
                    "two of three still commit");
            }
            stop(f2);
            final TestClient.ProduceResult local = client.produce("t", 0, Acks.LEADER, TestSupport.batch("local"));
            assertEquals(ErrorCode.NONE, local.code, "acks=1: in the leader's journal, never committed");
            assertEquals(10, local.baseOffset);
            final long id = client.sendProduce("t", 0, Acks.ALL, TestSupport.batch("lost"), 0,
                TestSupport.batch("lost").capacity(), 300);
            final TestClient.ProduceResult alone = TestClient.produceResult(client.await(id, WAIT_MS));
            assertNotEquals(ErrorCode.NONE, alone.code, "a leader alone acknowledges nothing at acks=all");
        }
        await("the isolated leader steps down", () -> !brokers[leader].isLeader());
        stop(leader);

        start(f1);
        start(f2);
        final int next = awaitLeader();
        assertNotEquals(leader, next, "the old leader is down");
        try (TestClient client = connect(brokers[next])) {
            for (int i = 10; i < 15; i++) {
                assertEquals(ErrorCode.NONE, client.produce("t", 0, Acks.ALL, TestSupport.batch("a" + i)).code,
                    "writes resume on the new leader");
            }
        }
        start(leader);
        final List<String> want = expected("a", 15, 0);
        for (int i = 0; i < 3; i++) {
            final Broker member = brokers[i];
            await("member " + i + " holds the group's log, without the uncommitted batches",
                () -> records(member, "t").equals(want));
        }
        assertEquals(next, awaitLeader(), "the returning member does not depose the leader");
    }

    @Test
    void clusterStatusShowsEveryMemberAndLeadershipTransfersToACaughtUpFollower() {
        startGroup();
        final int leader = awaitLeader();
        final int target = (leader + 1) % 3;
        try (TestClient client = connect(brokers[leader])) {
            assertEquals(ErrorCode.NONE, client.createTopic("t", 1).code);
            for (int i = 0; i < 5; i++) {
                assertEquals(ErrorCode.NONE, client.produce("t", 0, Acks.ALL, TestSupport.batch("s" + i)).code);
            }
            await("every follower acknowledged the log end", () -> {
                final TestClient.ClusterStatus status = client.clusterStatus();
                return status.members.stream().allMatch(m -> m.lagBatches == 0);
            });
            final TestClient.ClusterStatus status = client.clusterStatus();
            assertEquals(ErrorCode.NONE, status.code);
            assertEquals(leader, status.memberId);
            assertEquals(leader, status.leaderId);
            assertEquals(3, status.members.size());
            final TestClient.MemberStatus self = status.members.get(leader);
            assertEquals(MemberRole.LEADER, self.role);
            assertEquals(self.logEndSeq, self.commitSeq, "everything committed");
            for (final TestClient.MemberStatus m : status.members) {
                assertEquals(self.logEndSeq, m.logEndSeq, "member " + m.memberId);
                assertEquals(0, m.lagBytes);
                assertTrue(m.memberId == leader || m.lastContactMsAgo >= 0 && m.lastContactMsAgo < 1_000);
                assertEquals("aeron:udp?endpoint=127.0.0.1:" + port(m.memberId), m.ingressChannel);
            }

            final Object[] refused = client.transferLeadership(leader, 0);
            assertEquals(ErrorCode.INVALID_REQUEST, refused[0], "not to itself");
            final Object[] moved = client.transferLeadership(target, 0);
            assertEquals(ErrorCode.NONE, moved[0], String.valueOf(moved[2]));
            assertEquals(target, moved[1]);
        }
        assertEquals(target, awaitLeader());
        try (TestClient client = connect(brokers[target])) {
            assertEquals(ErrorCode.NONE, client.produce("t", 0, Acks.ALL, TestSupport.batch("s5")).code);
        }
        try (TestClient client = connect(brokers[leader])) {
            final Object[] notLeader = client.transferLeadership(leader, 0);
            assertEquals(ErrorCode.NOT_LEADER, notLeader[0]);
            assertEquals(target, notLeader[1]);
            final TestClient.ClusterStatus follower = client.clusterStatus();
            assertEquals(target, follower.leaderId);
            assertEquals(MemberRole.FOLLOWER, follower.members.get(leader).role);
            assertEquals(MemberRole.LEADER, follower.members.get(target).role);
        }
        final List<String> want = expected("s", 6, 0);
        for (int i = 0; i < 3; i++) {
            final Broker member = brokers[i];
            await("member " + i + " holds every record", () -> records(member, "t").equals(want));
        }
    }

    @Test
    void whenTheLeaderGoesUnderLoadTheFollowersElectANewOneThatHoldsEveryAcknowledgedRecord() {
        startGroup();
        final int leader = awaitLeader();
        final List<Long> ids = new ArrayList<>();
        // through another member's media driver: the leader's goes down with it
        final TestClient client = new TestClient(
            brokers[(leader + 1) % 3].aeronDirectoryName(), brokers[leader].ingressChannel());
        client.connect("test");
        try {
            assertEquals(ErrorCode.NONE, client.createTopic("t", 1).code);
            for (int i = 0; i < 10; i++) {
                assertEquals(ErrorCode.NONE, client.produce("t", 0, Acks.ALL, TestSupport.batch("w" + i)).code);
            }
            for (int i = 10; i < 60; i++) {
                final UnsafeBuffer batch = TestSupport.batch("w" + i);
                ids.add(client.sendProduce("t", 0, Acks.ALL, batch, 0, batch.capacity(), 5_000));
            }
            final long goneAt = System.nanoTime();
            stop(leader);
            final int next = awaitLeader();
            final long electedMs = (System.nanoTime() - goneAt) / 1_000_000;
            assertNotEquals(leader, next);
            final List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                acknowledged.add("w" + i);
            }
            for (int i = 0; i < ids.size(); i++) {
                final TestClient.Response response = client.pollFor(ids.get(i), 200);
                if (null != response && TestClient.produceResult(response).code == ErrorCode.NONE) {
                    acknowledged.add("w" + (10 + i));
                }
            }
            System.out.println("new leader after " + electedMs + " ms (" +
                acknowledged.size() + " of 60 acknowledged by the old leader)");
            try (TestClient again = connect(brokers[next])) {
                assertEquals(ErrorCode.NONE, again.produce("t", 0, Acks.ALL, TestSupport.batch("after")).code);
            }
            final List<String> held = new ArrayList<>();
            for (final String record : records(brokers[next], "t")) {
                held.add(record.substring(record.indexOf(':') + 1));
            }
            assertTrue(held.containsAll(acknowledged), "every acknowledged record survives: " + held);
            assertEquals(held.size(), new HashSet<>(held).size(), "no record twice");
            assertEquals("after", held.get(held.size() - 1));
            start(leader);
            final List<String> want = records(brokers[next], "t");
            for (int i = 0; i < 3; i++) {
                final Broker member = brokers[i];
                await("member " + i + " holds the new leader's log", () -> records(member, "t").equals(want));
            }
        } finally {
            client.close();
        }
    }

    @Test
    void aMemberWhoseLogLostBatchesItsJournalNamesRestartsWithTheEndItHoldsAndFetchesThemAgain() {
        startGroup();
        final int leader = awaitLeader();
        final int cut = (leader + 1) % 3;
        final List<List<String>> want = List.of(new ArrayList<>(), new ArrayList<>());
        try (TestClient client = connect(brokers[leader])) {
            assertEquals(ErrorCode.NONE, client.createTopic("t", 2).code);
            for (int i = 0; i < 20; i++) {
                assertEquals(ErrorCode.NONE, client.produce("t", i % 2, Acks.ALL, TestSupport.batch("r" + i)).code);
                want.get(i % 2).add(want.get(i % 2).size() + ":r" + i);
            }
        }
        final long end = brokers[leader].journalLastSeq();
        await("member " + cut + " holds all 20", () -> brokers[cut].journalLastSeq() == end);
        stop(cut);
        try (TestClient client = connect(brokers[leader])) {
            for (int i = 20; i < 30; i++) {
                assertEquals(ErrorCode.NONE, client.produce("t", i % 2, Acks.ALL, TestSupport.batch("r" + i)).code,
                    "two of three commit");
                want.get(i % 2).add(want.get(i % 2).size() + ":r" + i);
            }
        }
        for (int i = 0; i < 3; i++) {
            stop(i);
        }
        // a power cut cost member `cut` the tail of t-0 from offset 5 (r10, r12, ...) while its journal, forced
        // first, kept naming them, and t-1 kept r11, r13, ... past that hole
        try (PartitionLog log = PartitionLog.open(root.resolve("member-" + cut).resolve("t-0"), new LogConfig(),
            new SystemEpochClock())) {
            assertEquals(LogResult.OK, log.truncateTo(5));
        }
        start(cut);
        assertEquals(end - 10, brokers[cut].journalLastSeq(),
            "alone, it reports the end below r10 (the first batch it lost), not the journal's " + end);
        assertTrue(!brokers[cut].isLeader());
        for (int i = 0; i < 3; i++) {
            if (i != cut) {
                start(i);
            }
        }
        awaitLeader();
        for (int i = 0; i < 3; i++) {
            final Broker member = brokers[i];
            for (int p = 0; p < 2; p++) {
                final int partition = p;
                await("member " + i + " holds every acknowledged record of t-" + p,
                    () -> records(member, "t", partition).equals(want.get(partition)));
            }
        }
    }
}

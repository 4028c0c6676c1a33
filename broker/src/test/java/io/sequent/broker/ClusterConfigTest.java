package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cluster.members and the replication settings: parsing, derived ports, clear errors; the quorum-state file. */
class ClusterConfigTest {
    @TempDir
    Path dir;

    private static Properties props(final String... keyValues) {
        final Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    private static String refused(final String... keyValues) {
        final BrokerException ex =
            assertThrows(BrokerException.class, () -> BrokerContext.fromProperties(props(keyValues)));
        assertEquals(ErrorCode.INVALID_CONFIG, ex.code());
        return ex.getMessage();
    }

    @Test
    void withoutMembersABrokerIsAGroupOfOne() {
        final BrokerContext ctx = BrokerContext.fromProperties(props("broker.id", "4", "broker.port", "9300"));
        assertFalse(ctx.clusterMembers().isConfigured());
        assertEquals(1, ctx.clusterMembers().size());
        assertEquals(4, ctx.clusterMembers().members().get(0).id());
        assertEquals(500, ctx.electionTimeoutMs());
        assertEquals(50, ctx.heartbeatIntervalMs());
    }

    @Test
    void membersGiveThisBrokersIngressAndEachMembersDerivedOrExplicitPorts() {
        final BrokerContext ctx = BrokerContext.fromProperties(props(
            "broker.id", "1",
            "cluster.members", "0@127.0.0.1:9090, 1@127.0.0.2:9190,2@10.0.0.3:9090/9500/9501",
            "replication.election.timeout.ms", "300",
            "replication.heartbeat.interval.ms", "30"));
        final ClusterMembers members = ctx.clusterMembers();
        assertTrue(members.isConfigured());
        assertEquals(3, members.size());
        assertEquals("127.0.0.2", ctx.host(), "this member's entry gives broker.host");
        assertEquals(9190, ctx.port(), "and broker.port");
        assertEquals(9191, members.member(1).replicationPort());
        assertEquals(9192, members.member(1).controlPort());
        assertEquals(9500, members.member(2).replicationPort());
        assertEquals(9501, members.member(2).controlPort());
        assertEquals("aeron:udp?endpoint=10.0.0.3:9090", members.member(2).ingressChannel());
        assertEquals(300, ctx.electionTimeoutMs());
        assertEquals(30, ctx.heartbeatIntervalMs());
    }

    @Test
    void badMembersAreRefusedWithTheReason() {
        assertTrue(refused("cluster.members", "0@127.0.0.1:9090,0@127.0.0.1:9190").contains("listed twice"));
        assertTrue(refused("broker.id", "2", "cluster.members", "0@127.0.0.1:9090,1@127.0.0.1:9190")
            .contains("must list this broker"));
        assertTrue(refused("cluster.members", "0@127.0.0.1:9090,2@127.0.0.1:9190").contains("ids must be 0 to 1"));
        assertTrue(refused("cluster.members", "0@127.0.0.1").contains("is not id@host:port"));
        assertTrue(refused("cluster.members", "0127.0.0.1:9090").contains("is not id@host:port"));
        assertTrue(refused("cluster.members", "0@127.0.0.1:port").contains("bad port"));
        assertTrue(refused("cluster.members", "x@127.0.0.1:9090").contains("bad id"));
        assertTrue(refused("cluster.members", "0@127.0.0.1:70000").contains("above 65535"));
        assertTrue(refused("cluster.members", "0@127.0.0.1:0").contains("fixed ports"));
        assertTrue(refused("cluster.members", "0@127.0.0.1:9090/1/2/3").contains("port/replicationPort"));
        assertTrue(refused("cluster.members", "0@127.0.0.1:9090,1@127.0.0.1:9091").contains("both use"),
            "derived ports that collide");
        assertTrue(refused("cluster.members", "0@127.0.0.1:9090", "broker.port", "9999").contains("listens on"));
        assertTrue(refused("cluster.members", "").contains("must list the members"));
        assertTrue(refused("cluster.members", "0@a:1,1@a:10,2@a:20,3@a:30,4@a:40,5@a:50,6@a:60,7@a:70")
            .contains("at most 7"));
        assertTrue(refused("replication.election.timeout.ms", "50").contains("must be above"));
        assertTrue(refused("replication.heartbeat.interval.ms", "0").contains(">= 1"));
        assertTrue(refused("replication.channel", "aeron:ipc").contains("multicast"));
    }

    @Test
    void anEvenMemberCountIsAllowed() {
        assertEquals(2, BrokerContext.fromProperties(props("cluster.members", "0@127.0.0.1:9090,1@127.0.0.1:9190"))
            .clusterMembers().size());
    }

    @Test
    void theQuorumStateSurvivesAReopenAndADamagedFileStopsTheStart() throws Exception {
        final QuorumStateFile fresh = QuorumStateFile.open(dir);
        assertEquals(0, fresh.epoch());
        assertEquals(-1, fresh.votedFor());
        fresh.store(7, 2);
        final QuorumStateFile again = QuorumStateFile.open(dir);
        assertEquals(7, again.epoch());
        assertEquals(2, again.votedFor());
        assertFalse(Files.exists(dir.resolve(QuorumStateFile.FILE + ".tmp")), "written by rename");

        final byte[] bytes = Files.readAllBytes(dir.resolve(QuorumStateFile.FILE));
        bytes[5] ^= 1;
        Files.write(dir.resolve(QuorumStateFile.FILE), bytes);
        final BrokerException ex = assertThrows(BrokerException.class, () -> QuorumStateFile.open(dir));
        assertEquals(ErrorCode.STORAGE_ERROR, ex.code());
        assertTrue(ex.getMessage().contains("damaged"), ex.getMessage());
    }
}

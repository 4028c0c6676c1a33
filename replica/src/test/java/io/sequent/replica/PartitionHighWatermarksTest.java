package io.sequent.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Each partition's high watermark derived from the commit seq a follower learns. */
class PartitionHighWatermarksTest {
    @Test
    void eachPartitionsWatermarkFollowsTheCommitSeq() {
        final ScriptedGroup g = new ScriptedGroup(3).start();
        g.runFor(3 * ScriptedGroup.ELECTION_TIMEOUT_NS, 1_000_000L);
        final int leader = g.leader();
        final int follower = (leader + 1) % 3;
        final long first = g.write(leader, 1);
        g.runFor(3 * ScriptedGroup.HEARTBEAT_NS, 1_000_000L);
        g.autoFlush = false;
        final long second = g.write(leader, 2);
        g.pump();
        final PartitionHighWatermarks hw = new PartitionHighWatermarks();
        hw.advance(g.nodes[follower].commitSeq(), g.logs[follower]);
        assertEquals(first, hw.committedSeq(1, 0), "partition 0's last committed batch");
        assertEquals(PartitionHighWatermarks.NONE, hw.committedSeq(1, 1));
        assertEquals(PartitionHighWatermarks.NONE, hw.committedSeq(ReplicaNode.CONTROL_TOPIC_ID, 0));
        g.autoFlush = true;
        g.runFor(3 * ScriptedGroup.HEARTBEAT_NS, 1_000_000L);
        hw.advance(g.nodes[follower].commitSeq(), g.logs[follower]);
        assertEquals(second, hw.committedSeq(1, 0));
        assertEquals(second, hw.commitSeq());
        assertEquals(0, hw.advance(1, g.logs[follower]), "commit never goes back");
    }
}

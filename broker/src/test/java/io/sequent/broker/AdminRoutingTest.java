package io.sequent.broker;

import io.sequent.codec.client.AlterConfigsRequestDecoder;
import io.sequent.codec.client.ClusterStatusRequestDecoder;
import io.sequent.codec.client.CreateTopicsRequestDecoder;
import io.sequent.codec.client.DeleteGroupsRequestDecoder;
import io.sequent.codec.client.DeleteTopicsRequestDecoder;
import io.sequent.codec.client.DescribeConfigsRequestDecoder;
import io.sequent.codec.client.DescribeGroupsRequestDecoder;
import io.sequent.codec.client.DisconnectRequestDecoder;
import io.sequent.codec.client.HeartbeatRequestDecoder;
import io.sequent.codec.client.InitProducerIdRequestDecoder;
import io.sequent.codec.client.JoinGroupRequestDecoder;
import io.sequent.codec.client.LeaveGroupRequestDecoder;
import io.sequent.codec.client.ListGroupsRequestDecoder;
import io.sequent.codec.client.MemberHeartbeatRequestDecoder;
import io.sequent.codec.client.MemberJoinRequestDecoder;
import io.sequent.codec.client.MetadataRequestDecoder;
import io.sequent.codec.client.OffsetCommitRequestDecoder;
import io.sequent.codec.client.OffsetFetchRequestDecoder;
import io.sequent.codec.client.TransferLeadershipRequestDecoder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which admin requests a follower answers NOT_LEADER ({@link AdminAgent#needsLeader}). */
class AdminRoutingTest {
    @Test
    void everyGroupRequestAndEveryWriteNeedsTheLeader() {
        for (final int templateId : List.of(
            JoinGroupRequestDecoder.TEMPLATE_ID, HeartbeatRequestDecoder.TEMPLATE_ID,
            LeaveGroupRequestDecoder.TEMPLATE_ID, OffsetCommitRequestDecoder.TEMPLATE_ID,
            OffsetFetchRequestDecoder.TEMPLATE_ID, DescribeGroupsRequestDecoder.TEMPLATE_ID,
            ListGroupsRequestDecoder.TEMPLATE_ID, MemberJoinRequestDecoder.TEMPLATE_ID,
            MemberHeartbeatRequestDecoder.TEMPLATE_ID, DeleteGroupsRequestDecoder.TEMPLATE_ID,
            CreateTopicsRequestDecoder.TEMPLATE_ID, DeleteTopicsRequestDecoder.TEMPLATE_ID,
            AlterConfigsRequestDecoder.TEMPLATE_ID, InitProducerIdRequestDecoder.TEMPLATE_ID)) {
            assertTrue(AdminAgent.needsLeader(templateId), "template " + templateId);
        }
    }

    @Test
    void onlyRequestsAnsweredFromAMembersOwnStateGoAnywhere() {
        for (final int templateId : List.of(
            DisconnectRequestDecoder.TEMPLATE_ID, MetadataRequestDecoder.TEMPLATE_ID,
            DescribeConfigsRequestDecoder.TEMPLATE_ID, ClusterStatusRequestDecoder.TEMPLATE_ID,
            TransferLeadershipRequestDecoder.TEMPLATE_ID)) {
            assertFalse(AdminAgent.needsLeader(templateId), "template " + templateId);
        }
        assertTrue(AdminAgent.needsLeader(999), "a request not listed stays on the leader");
    }
}

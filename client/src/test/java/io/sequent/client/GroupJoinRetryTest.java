package io.sequent.client;

import static io.sequent.client.TestSupport.client;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.sequent.codec.client.MemberJoinRequestDecoder;

/**
 * The member id a consumer joins its group under is its own (KIP-1082): chosen before the first join and sent
 * again with every retry of that join, so a join whose answer was lost does not leave a phantom member behind.
 */
class GroupJoinRetryTest {
    private static FakeBroker broker;

    @BeforeAll
    static void start() {
        broker = new FakeBroker();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void aJoinWhoseAnswerWasLostIsSentAgainUnderTheSameMemberId() {
        broker.createTopic("t", 1);
        broker.swallowNext(MemberJoinRequestDecoder.TEMPLATE_ID, 2);
        final ClientConfig config = client(broker).requestTimeout(Duration.ofMillis(400));
        try (Consumer consumer = new Consumer(new ConsumerConfig(config).groupId("g").retryBackoffMs(50))) {
            consumer.subscribe(List.of("t"));
            TestSupport.await(() -> {
                consumer.poll(Duration.ofMillis(20));
                return !consumer.groupMetadata().memberId().isEmpty();
            }, "the third join's answer");
            final List<String> joins = broker.memberJoins();
            assertEquals(3, joins.size(), "two answers lost, then answered: " + joins);
            final String memberId = consumer.groupMetadata().memberId();
            assertEquals(List.of(memberId + "@0", memberId + "@0", memberId + "@0"), joins,
                "the same member id, at epoch 0, each time");
            assertEquals(memberId, UUID.fromString(memberId).toString(), "a UUID the client chose");
            assertEquals(1, consumer.groupMetadata().generationId(), "the epoch the broker answered");
        }
    }

    @Test
    void aRejoinForANewSubscriptionCarriesTheMembersEpoch() {
        broker.createTopic("u", 1);
        broker.createTopic("v", 1);
        final int before = broker.memberJoins().size();
        try (Consumer consumer = new Consumer(new ConsumerConfig(client(broker)).groupId("h"))) {
            consumer.subscribe(List.of("u"));
            TestSupport.await(() -> {
                consumer.poll(Duration.ofMillis(20));
                return !consumer.groupMetadata().memberId().isEmpty();
            }, "the join");
            final String memberId = consumer.groupMetadata().memberId();
            consumer.subscribe(List.of("u", "v"));
            TestSupport.await(() -> {
                consumer.poll(Duration.ofMillis(20));
                return broker.memberJoins().size() == before + 2;
            }, "the rejoin");
            assertEquals(List.of(memberId + "@0", memberId + "@1"), broker.memberJoins().subList(before, before + 2));
            assertTrue(consumer.subscription().contains("v"));
        }
    }

    @Test
    void aRejoinWhoseAnswerWasLostIsSentAgainAtTheSameMemberEpoch() {
        broker.createTopic("w", 1);
        broker.createTopic("x", 1);
        final int before = broker.memberJoins().size();
        final ClientConfig config = client(broker).requestTimeout(Duration.ofMillis(400));
        try (Consumer consumer = new Consumer(new ConsumerConfig(config).groupId("k").retryBackoffMs(50))) {
            consumer.subscribe(List.of("w"));
            TestSupport.await(() -> {
                consumer.poll(Duration.ofMillis(20));
                return !consumer.groupMetadata().memberId().isEmpty();
            }, "the join");
            final String memberId = consumer.groupMetadata().memberId();
            broker.swallowNext(MemberJoinRequestDecoder.TEMPLATE_ID, 1);
            consumer.subscribe(List.of("w", "x"));
            TestSupport.await(() -> {
                consumer.poll(Duration.ofMillis(20));
                return broker.memberJoins().size() == before + 3;
            }, "the rejoin sent again");
            assertEquals(List.of(memberId + "@0", memberId + "@1", memberId + "@1"),
                broker.memberJoins().subList(before, before + 3),
                "the retry carries the epoch of the lost one, so the broker answers it as a repeat");
            consumer.poll(Duration.ofMillis(200));
            assertEquals(before + 3, broker.memberJoins().size(), "no further join once answered");
        }
    }
}

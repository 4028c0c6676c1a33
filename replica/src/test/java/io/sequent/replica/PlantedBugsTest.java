package io.sequent.replica;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.function.Consumer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The simulation has teeth: each deliberately planted protocol bug ({@link FaultInjection}, reachable only from
 * tests in this package) must be caught within {@link #MAX_SEEDS} seeds. Prints the bug, the seed that caught it,
 * the seeds it took and the violation.
 */
class PlantedBugsTest {
    static final int MAX_SEEDS = 500;

    enum PlantedBug {
        VOTE_WITHOUT_LOG_CHECK((f) -> f.voteWithoutLogCheck = true),
        COMMIT_EARLIER_EPOCH_BY_COUNTING((f) -> f.commitEarlierEpoch = true),
        SKIP_QUORUM_STATE_FSYNC((f) -> f.skipQuorumStateStore = true),
        COMMIT_ON_APPENDED_NOT_DURABLE((f) -> f.commitOnAppended = true),
        SKIP_CHECK_QUORUM((f) -> f.skipCheckQuorum = true),
        TRUNCATE_BELOW_COMMIT((f) -> f.truncateOneTooMany = true),
        ACK_BEFORE_JOIN_TRUNCATION((f) -> f.ackBeforeJoin = true);

        final Consumer<FaultInjection> plant;

        PlantedBug(final Consumer<FaultInjection> plant) {
            this.plant = plant;
        }
    }

    @ParameterizedTest
    @EnumSource(PlantedBug.class)
    void theSimulationCatchesEveryPlantedBug(final PlantedBug bug) {
        Simulation.Result caught = null;
        int seeds = 0;
        for (long seed = 1; seed <= MAX_SEEDS && null == caught; seed++) {
            final FaultInjection faults = new FaultInjection();
            bug.plant.accept(faults);
            final Simulation.Result result =
                new Simulation(seed, ReplicationSimulationTest.memberCount(seed), faults, false).run();
            seeds++;
            if (null != result.violation) {
                caught = result;
            }
        }
        assertNotNull(caught, bug + " not caught in " + MAX_SEEDS + " seeds");
        System.out.printf("planted bug %s: caught by seed %d (%d members) after %d seed(s): %s%n", bug, caught.seed,
            caught.memberCount, seeds, caught.violation);
    }
}

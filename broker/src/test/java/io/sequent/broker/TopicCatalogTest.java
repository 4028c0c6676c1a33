package io.sequent.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalog is what applying the metadata records in order gives, and records about a topic id apply to it only. */
class TopicCatalogTest {
    @TempDir
    Path dataDir;

    @Test
    void recordsApplyToTheTopicIdTheyName() {
        final TopicCatalog catalog = new TopicCatalog(dataDir);
        assertEquals(1, catalog.nextTopicId(), "id 0 is the metadata partition");
        catalog.onTopic(1, "a", 2, Map.of("log.retention.ms", "1"));
        catalog.onTopicDeleted(1, "a");
        catalog.onTopic(2, "a", 3, Map.of());
        catalog.onTopicDeleted(1, "a");
        catalog.onTopicConfig(1, "a", Map.of("log.retention.ms", "99"));
        assertEquals(2, catalog.get("a").id, "a stale deletion leaves the newer topic of that name");
        assertEquals(3, catalog.get("a").partitions);
        assertEquals(Map.of(), catalog.get("a").overrides, "a config record of an older id changes nothing");
        catalog.onTopicConfig(2, "a", Map.of("log.retention.bytes", "7"));
        assertEquals(Map.of("log.retention.bytes", "7"), catalog.get("a").overrides, "the whole set is replaced");
        assertEquals(3, catalog.nextTopicId());

        catalog.onProducerIds(0, 1000);
        catalog.onProducerIds(1000, 2000);
        catalog.onProducerIds(0, 1000);
        assertEquals(2000, catalog.producerIdLimit(), "the bound never goes down");
        assertEquals(9, catalog.records());
    }

    @Test
    void theFilesOfDeletedTopicsAreRemovedButNotThoseOfATopicCreatedAgain() throws Exception {
        final TopicCatalog catalog = new TopicCatalog(dataDir);
        Files.createDirectories(dataDir.resolve("gone-0"));
        Files.createDirectories(dataDir.resolve("gone-1"));
        Files.createDirectories(dataDir.resolve("back-0"));
        catalog.onTopic(1, "gone", 2, Map.of());
        catalog.onTopic(2, "back", 1, Map.of());
        catalog.onTopicDeleted(1, "gone");
        catalog.onTopicDeleted(2, "back");
        catalog.onTopic(3, "back", 1, Map.of());
        assertEquals(List.of("gone"), catalog.finishDeletions());
        assertFalse(Files.exists(dataDir.resolve("gone-0")));
        assertFalse(Files.exists(dataDir.resolve("gone-1")));
        assertTrue(Files.exists(dataDir.resolve("back-0")));
        assertNull(catalog.get("gone"));
        assertEquals(List.of(), catalog.finishDeletions(), "done once");
    }
}

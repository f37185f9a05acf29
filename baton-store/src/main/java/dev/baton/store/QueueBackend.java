package dev.baton.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where queued messages are kept, and what can be done to them: Baton's own store
 * ({@link QueueRecords}) or a broker behind the same operations. Every method
 * blocks; callers on an event loop hand the work to a worker thread. Messages are
 * named by queue and id, leases by receipt token; times come from the caller's
 * clock. A change by receipts is refused as a whole ({@link QueueRecords.Settled})
 * when one of them is stale.
 */
public interface QueueBackend {
    /** Stores {@code messages} together; the ids, a dropped duplicate's being the first one's. */
    List<String> publish(List<QueueRecords.NewMessage> messages, Instant now);

    /** Leases up to {@code max} messages of {@code queue} due by {@code now} until {@code until}. */
    List<QueueRecords.Message> claim(String queue, int max, Instant now, Instant until, Supplier<String> tokens);

    /** Acknowledges: the messages are done. */
    QueueRecords.Settled ack(String queue, List<QueueRecords.Receipt> receipts);

    /** Failed attempts with {@code error}: due again when {@code retry} says, or dead. */
    QueueRecords.Settled nack(
            String queue, List<QueueRecords.Receipt> receipts, Instant now, String error, QueueRecords.Retry retry);

    /** Moves the leases' ends to {@code until}. */
    QueueRecords.Settled extend(String queue, List<QueueRecords.Receipt> receipts, Instant until);

    /** Gives leased messages back as if never delivered. */
    QueueRecords.Settled release(String queue, List<QueueRecords.Receipt> receipts, Instant now);

    /** Ends leases that ran out by {@code now} as failed attempts; {@code maxAttempts} by queue. */
    List<QueueRecords.Ended> expire(Instant now, Map<String, Integer> maxAttempts, int max);

    /** The dead letters of {@code queue}, oldest first, with their attempts. */
    List<QueueRecords.Message> deadLetters(String queue, int limit);

    /** Puts dead letters back with fresh attempts: those of {@code ids}, or all. */
    int redrive(String queue, Optional<List<String>> ids, Instant now);

    /** Deletes dead letters: those of {@code ids}, or all. */
    int purgeDeadLetters(String queue, Optional<List<String>> ids);

    /** Deletes everything of {@code queue}. */
    int drop(String queue);

    /** Forgets dedup ids whose window ended. */
    int forgetDedupIds(Instant now);

    /** Every queue's messages by state. */
    List<QueueRecords.Depth> depths(Instant now);
}

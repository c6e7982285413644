package dev.berth.notifications;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.berth.testsupport.Poll;

class InStartOrderTest {

    @Test
    void resultsGoOnInTheOrderTheLookupsStartedAndAFailureIsSkipped() {
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> failed = new CopyOnWriteArrayList<>();
        InStartOrder<String> order = new InStartOrder<>(out::add, Duration.ofMinutes(1));
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        CompletableFuture<String> third = new CompletableFuture<>();
        CompletableFuture<String> fourth = new CompletableFuture<>();
        order.add(first, e -> failed.add(e.getMessage()));
        order.add(second, e -> failed.add(e.getMessage()));
        order.add(third, e -> failed.add(e.getMessage()));
        order.add(fourth, e -> failed.add(e.getMessage()));

        fourth.complete("d");
        second.complete("b");
        assertEquals(List.of(), out, "nothing goes on before the first lookup is done");
        third.completeExceptionally(new IllegalStateException("lookup failed"));
        first.complete("a");
        assertEquals(List.of("a", "b", "d"), out);
        assertEquals(List.of("lookup failed"), failed);

        order.add(CompletableFuture.completedFuture("e"), e -> failed.add(e.getMessage()));
        assertEquals(List.of("a", "b", "d", "e"), out, "a lookup already done goes on at once when nothing is before it");
    }

    @Test
    void aLookupNotDoneWithinItsHoldGivesUpItsPlaceAndGoesOnWhenDone() {
        List<String> out = new CopyOnWriteArrayList<>();
        InStartOrder<String> order = new InStartOrder<>(out::add, Duration.ofMillis(300));
        CompletableFuture<String> stalled = new CompletableFuture<>();
        order.add(stalled, e -> { });
        order.add(CompletableFuture.completedFuture("b"), e -> { });
        assertEquals(List.of(), out, "held back while the first may still come");

        Poll.until(() -> out.equals(List.of("b")), Duration.ofSeconds(10), "the one after it, once the hold passed");
        stalled.complete("a");
        assertEquals(List.of("b", "a"), out, "the late one when it is done");

        CompletableFuture<String> quick = new CompletableFuture<>();
        order.add(quick, e -> { });
        order.add(CompletableFuture.completedFuture("d"), e -> { });
        quick.complete("c");
        assertEquals(List.of("b", "a", "c", "d"), out, "done within its hold: in its place");
    }

    @Test
    void aConsumerThatThrowsDoesNotStopTheOnesAfter() {
        List<String> out = new CopyOnWriteArrayList<>();
        InStartOrder<String> order = new InStartOrder<>(s -> {
            if (s.equals("boom")) {
                throw new IllegalStateException("consumer failed");
            }
            out.add(s);
        }, Duration.ofMinutes(1));
        order.add(CompletableFuture.completedFuture("boom"), e -> { });
        order.add(CompletableFuture.completedFuture("next"), e -> { });
        assertEquals(List.of("next"), out);
    }
}

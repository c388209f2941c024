package io.batpak.engine.internal.commit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.OutcomeUnknownException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** How a waiting appender meets interrupts. */
class AppendRequestTest {

  @Test
  void anInterruptBeforeTheOutcomeThrowsOutcomeUnknownAndKeepsTheFlag() throws Exception {
    AtomicReference<Object> seen = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              AppendRequest p = AppendRequest.blocking(List.of());
              Thread.currentThread().interrupt();
              try {
                seen.set(p.await());
              } catch (RuntimeException e) {
                seen.set(e);
              }
              seen.set(List.of(seen.get(), Thread.currentThread().isInterrupted()));
            });
    t.start();
    t.join();
    List<?> result = (List<?>) seen.get();
    assertInstanceOf(OutcomeUnknownException.class, result.get(0));
    assertEquals(true, result.get(1), "the interrupt flag is restored");
  }

  /**
   * An interrupt that arrives together with the outcome must not be swallowed: the waiter returns
   * the outcome and its interrupt flag is still set. Each round completes the pending and then
   * interrupts the waiter; whenever the waiter wakes after both, it sees an outcome and a raised
   * flag.
   */
  @Test
  void anInterruptRacingTheOutcomeIsNeverSwallowed() throws Exception {
    int rounds = 300;
    int lost = 0;
    int returned = 0;
    for (int i = 0; i < rounds; i++) {
      AtomicReference<AppendRequest> pending = new AtomicReference<>();
      AtomicReference<Object> outcome = new AtomicReference<>();
      AtomicReference<Boolean> flag = new AtomicReference<>();
      java.util.concurrent.atomic.AtomicBoolean sent =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread waiter =
          new Thread(
              () -> {
                AppendRequest p = AppendRequest.blocking(List.of());
                pending.set(p);
                try {
                  outcome.set(p.await());
                } catch (RuntimeException e) {
                  outcome.set(e);
                }
                while (!sent.get()) {
                  Thread.onSpinWait();
                }
                flag.set(Thread.currentThread().isInterrupted());
              });
      waiter.start();
      while (pending.get() == null) {
        Thread.onSpinWait();
      }
      List<AppendReceipt> receipts = List.of();
      pending.get().succeed(receipts, Runnable::run);
      waiter.interrupt();
      sent.set(true);
      waiter.join();
      if (outcome.get() instanceof List) {
        returned++;
      } else {
        assertInstanceOf(OutcomeUnknownException.class, outcome.get());
      }
      if (!flag.get()) {
        lost++;
      }
    }
    assertTrue(returned > 0);
    assertEquals(0, lost, "rounds in which the interrupt flag was lost, of " + rounds);
  }
}

package io.batpak.engine.internal.fence;

import io.batpak.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One visibility fence's state in the engine: open, then committed or cancelled (or failed, when
 * the pipeline was poisoned with it open), and the completions its {@code submit} futures wait for.
 * Thread-safe; the committer changes its state with its commit lock held.
 */
public final class Fence {
  /** Where a fence is in its life. */
  public enum State {
    /** Appends through it are accepted. */
    OPEN,
    /** Its events are visible. */
    COMMITTED,
    /** Its events are never visible. */
    CANCELLED,
    /** The pipeline was poisoned with it open; a reopen cancels it. */
    FAILED
  }

  private final long first;
  private State state = State.OPEN;
  private StoreException failure;
  private final List<Runnable> onCommit = new ArrayList<>();
  private final List<Consumer<StoreException>> onFail = new ArrayList<>();

  /** A fence whose first event will have global sequence {@code first}. */
  public Fence(long first) {
    this.first = first;
  }

  /** The global sequence of the fence's first event. */
  public long first() {
    return first;
  }

  /** Its state now. */
  public synchronized State state() {
    return state;
  }

  /** Whether it is open. */
  public synchronized boolean isOpen() {
    return state == State.OPEN;
  }

  /** Why it is no longer open (a cancelled or failed fence), or null. */
  public synchronized StoreException failure() {
    return failure;
  }

  /**
   * Holds a completion until the fence ends: {@code success} runs on commit, {@code fail} with the
   * reason on cancel or failure. If the fence has ended already, the right one runs now.
   */
  public void defer(Runnable success, Consumer<StoreException> fail) {
    State s;
    StoreException why;
    synchronized (this) {
      s = state;
      why = failure;
      if (s == State.OPEN) {
        onCommit.add(success);
        onFail.add(fail);
        return;
      }
    }
    if (s == State.COMMITTED) {
      success.run();
    } else {
      fail.accept(why);
    }
  }

  /** Committer: the fence committed; runs the held successes. */
  public void committed() {
    List<Runnable> run;
    synchronized (this) {
      if (state != State.OPEN) {
        return;
      }
      state = State.COMMITTED;
      run = List.copyOf(onCommit);
      onCommit.clear();
      onFail.clear();
    }
    run.forEach(Runnable::run);
  }

  /**
   * Committer: the fence ended without a commit ({@link State#CANCELLED} or {@link State#FAILED});
   * fails the held completions with {@code why}.
   */
  public void ended(State end, StoreException why) {
    if (end != State.CANCELLED && end != State.FAILED) {
      throw new IllegalArgumentException("not an unsuccessful end: " + end);
    }
    List<Consumer<StoreException>> run;
    synchronized (this) {
      if (state != State.OPEN) {
        return;
      }
      state = end;
      failure = why;
      run = List.copyOf(onFail);
      onCommit.clear();
      onFail.clear();
    }
    for (Consumer<StoreException> f : run) {
      f.accept(why);
    }
  }
}

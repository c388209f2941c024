package io.batpak.test;

import io.batpak.AppendReceipt;
import io.batpak.Durability;
import io.batpak.Store;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Store} that forwards every call to a real one and records every receipt an append
 * returns. A dynamic proxy, so every method of {@link Store}, present and future, is forwarded
 * unchanged: a method returning an {@link AppendReceipt}, a list of them or a future of one is
 * recorded by its result type, whatever its name.
 */
final class RecordingStore implements InvocationHandler {
  private final Store delegate;
  private final Receipts receipts;
  private final Store proxy;
  private final boolean durable;
  private volatile boolean closed;
  private volatile long durableBeforeClose = Long.MAX_VALUE;

  private RecordingStore(Store delegate, Receipts receipts) {
    this.delegate = delegate;
    this.receipts = receipts;
    this.durable = delegate.config().durability() == Durability.DURABLE;
    this.proxy =
        (Store)
            Proxy.newProxyInstance(
                Store.class.getClassLoader(), new Class<?>[] {Store.class}, this);
  }

  static RecordingStore wrap(Store delegate, Receipts receipts) {
    return new RecordingStore(delegate, receipts);
  }

  Store proxy() {
    return proxy;
  }

  Store delegate() {
    return delegate;
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * The number of events a power loss now must keep: all of them in {@code DURABLE} mode (an
   * acknowledged event is durable), the durable watermark in {@code VISIBLE} mode (or, after a
   * close that failed, the one read just before it).
   */
  long durableAtLoss() {
    if (durable) {
      return Long.MAX_VALUE;
    }
    return closed ? durableBeforeClose : delegate.watermarks().durable();
  }

  @Override
  public Object invoke(Object self, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    if (method.getDeclaringClass() == Object.class) {
      switch (name) {
        case "equals":
          return self == args[0];
        case "hashCode":
          return System.identityHashCode(self);
        default:
          return "recording " + delegate;
      }
    }
    boolean firstClose = name.equals("close") && method.getParameterCount() == 0 && !closed;
    if (firstClose && !durable) {
      durableBeforeClose = delegate.watermarks().durable();
    }
    Object result;
    try {
      result = method.invoke(delegate, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    } finally {
      if (firstClose) {
        closed = true;
      }
    }
    if (firstClose) {
      durableBeforeClose = Long.MAX_VALUE; // a clean close synced everything
    }
    record(result);
    return result;
  }

  private void record(Object result) {
    if (result instanceof AppendReceipt) {
      receipts.add((AppendReceipt) result);
    } else if (result instanceof List<?>) {
      for (Object o : (List<?>) result) {
        if (o instanceof AppendReceipt) {
          receipts.add((AppendReceipt) o);
        }
      }
    } else if (result instanceof CompletableFuture<?>) {
      ((CompletableFuture<?>) result)
          .whenComplete(
              (r, error) -> {
                if (r instanceof AppendReceipt) {
                  receipts.add((AppendReceipt) r);
                }
              });
    }
  }
}

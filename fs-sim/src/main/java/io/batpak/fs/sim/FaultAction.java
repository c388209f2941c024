package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * What a {@link FaultRule} does to the operation it fires on. Each action applies to certain
 * operation kinds only ({@link #appliesTo()}); {@link FaultRule} checks this when it is built.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public sealed interface FaultAction {

  /** The operation kinds this action can be attached to. */
  Set<FsOp> appliesTo();

  /**
   * The operation fails before it does anything, with the exception of {@code kind}.
   *
   * @param kind which exception
   */
  record Fail(ErrorKind kind) implements FaultAction {
    /** Validates the kind. */
    public Fail {
      Objects.requireNonNull(kind, "kind");
    }

    @Override
    public Set<FsOp> appliesTo() {
      return EnumSet.allOf(FsOp.class);
    }
  }

  /**
   * A read returns only the first {@code bytes} bytes (fewer if the file has fewer) and throws
   * {@link io.batpak.port.ShortReadException} carrying that count, as if the file ended there.
   *
   * @param bytes how many bytes the read delivers, at least 0
   */
  record ShortRead(int bytes) implements FaultAction {
    /** Validates the count. */
    public ShortRead {
      requireNonNegative(bytes);
    }

    @Override
    public Set<FsOp> appliesTo() {
      return EnumSet.of(FsOp.READ);
    }
  }

  /**
   * A write stores only its first {@code keep} bytes (all of them if it has fewer) and then fails
   * with an {@link java.io.IOException}; the source buffer is advanced past the kept bytes only.
   *
   * @param keep how many bytes land, at least 0
   */
  record ShortWrite(int keep) implements FaultAction {
    /** Validates the count. */
    public ShortWrite {
      requireNonNegative(keep);
    }

    @Override
    public Set<FsOp> appliesTo() {
      return EnumSet.of(FsOp.WRITE);
    }
  }

  /**
   * A write stores its first {@code keep} bytes, fills the rest of its range with seeded garbage,
   * and reports success: a device that tore the write silently, which only checksums detect.
   *
   * @param keep how many bytes land intact, at least 0
   */
  record TornWrite(int keep) implements FaultAction {
    /** Validates the count. */
    public TornWrite {
      requireNonNegative(keep);
    }

    @Override
    public Set<FsOp> appliesTo() {
      return EnumSet.of(FsOp.WRITE);
    }
  }

  /**
   * A lying sync: reports success and commits nothing (the file's content, or the directory's
   * entries, stay as durable as they were).
   */
  record LyingSync() implements FaultAction {
    @Override
    public Set<FsOp> appliesTo() {
      return EnumSet.of(FsOp.SYNC, FsOp.DIR_SYNC);
    }
  }

  /**
   * A failed sync as Linux does it (the "fsyncgate" behaviour): the file's dirty pages are dropped
   * (its volatile content reverts to its durable content, for every handle) and the sync throws an
   * {@link java.io.IOException} once. The next sync then succeeds, with nothing left to commit. On
   * a directory sync the entries are left alone and the sync fails once. Linux may instead keep the
   * pages readable and never write them: that is {@link FailedSyncKeepsPages}.
   */
  record FailedSync() implements FaultAction {
    @Override
    public Set<FsOp> appliesTo() {
      return EnumSet.of(FsOp.SYNC, FsOp.DIR_SYNC);
    }
  }

  /**
   * A failed sync as Linux also does it: the write-back of the file's dirty pages fails, the kernel
   * marks them clean and keeps them in the page cache, and the sync throws an {@link
   * java.io.IOException} once. The bytes stay <em>readable</em> (through every handle, and after
   * {@link SimStoreFs#restart()}: a process that reopens the file in the same boot sees them), but
   * they are not durable, and no later sync writes them: the next sync succeeds, and a power loss
   * ({@link SimStoreFs#crash(CrashProfile)}) still takes them. This is the "fsyncgate" trap: code
   * that retries the fsync, or reopens and trusts what it reads, believes bytes durable that are
   * not.
   *
   * <p>The model, at byte ranges: the bytes this sync would have made durable (those where the
   * volatile content differs from the durable content, and any growth past the durable size) become
   * <em>lost</em>. A lost byte stays readable until a crash; a later successful sync writes
   * everything but the lost bytes, so the device keeps its old byte there, or a zero past its old
   * size (the size itself is committed: a grown file comes back with a zero-filled hole). A write
   * (or truncation) that covers a lost byte makes it an ordinary dirty byte again, which the next
   * sync does make durable. A real kernel writes back whole pages, so there a later write makes
   * durable every byte of the pages it covers, the old lost ones included; the byte-range model
   * keeps those lost too, which is the harsher choice for the code under test. Pages the kernel
   * evicts (and re-reads from the device) are not modelled: evicting is what {@link FailedSync}
   * does. Applies to file syncs only: a directory sync has no pages to keep.
   */
  record FailedSyncKeepsPages() implements FaultAction {
    @Override
    public Set<FsOp> appliesTo() {
      return EnumSet.of(FsOp.SYNC);
    }
  }

  /**
   * The device holds at most {@code quotaBytes} bytes of file content (the sum of the volatile
   * sizes of all files reachable through directory entries). A write that would pass it stores the
   * prefix that fits and throws {@link io.batpak.port.NoSpaceException}; a copy that would pass it
   * creates nothing and throws the same. Operations within the quota pass.
   *
   * @param quotaBytes the capacity, at least 0
   */
  record NoSpaceQuota(long quotaBytes) implements FaultAction {
    /** Validates the quota. */
    public NoSpaceQuota {
      if (quotaBytes < 0) {
        throw new IllegalArgumentException("quotaBytes must not be negative, was " + quotaBytes);
      }
    }

    @Override
    public Set<FsOp> appliesTo() {
      return EnumSet.of(FsOp.WRITE, FsOp.COPY);
    }
  }

  /**
   * Power is lost just before the operation: it does nothing, throws {@link
   * SimulatedCrashException}, and the simulator is frozen (every call throws) until {@link
   * SimStoreFs#crash(CrashProfile)} or {@link SimStoreFs#restart()}.
   */
  record CrashBefore() implements FaultAction {
    @Override
    public Set<FsOp> appliesTo() {
      return EnumSet.allOf(FsOp.class);
    }
  }

  /**
   * Power is lost just after the operation took effect (in volatile state; a sync did commit): it
   * throws {@link SimulatedCrashException} instead of returning, and the simulator is frozen as
   * with {@link CrashBefore}.
   */
  record CrashAfter() implements FaultAction {
    @Override
    public Set<FsOp> appliesTo() {
      return EnumSet.allOf(FsOp.class);
    }
  }

  /** Fails with {@code kind}. */
  static FaultAction fail(ErrorKind kind) {
    return new Fail(kind);
  }

  /** A short read of {@code bytes} bytes. */
  static FaultAction shortRead(int bytes) {
    return new ShortRead(bytes);
  }

  /** A short write keeping {@code keep} bytes, reported as an error. */
  static FaultAction shortWrite(int keep) {
    return new ShortWrite(keep);
  }

  /** A torn write keeping {@code keep} bytes, reported as a success. */
  static FaultAction tornWrite(int keep) {
    return new TornWrite(keep);
  }

  /** A sync that lies. */
  static FaultAction lyingSync() {
    return new LyingSync();
  }

  /** A sync that fails once and drops the dirty pages. */
  static FaultAction failedSync() {
    return new FailedSync();
  }

  /** A file sync that fails once and leaves the dirty pages readable but never written. */
  static FaultAction failedSyncKeepsPages() {
    return new FailedSyncKeepsPages();
  }

  /** {@code ENOSPC} past {@code quotaBytes}. */
  static FaultAction noSpaceQuota(long quotaBytes) {
    return new NoSpaceQuota(quotaBytes);
  }

  /** A crash before the operation. */
  static FaultAction crashBefore() {
    return new CrashBefore();
  }

  /** A crash after the operation. */
  static FaultAction crashAfter() {
    return new CrashAfter();
  }

  private static void requireNonNegative(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("byte count must not be negative, was " + n);
    }
  }
}

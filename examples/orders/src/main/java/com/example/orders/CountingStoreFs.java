package com.example.orders;

// sample:decorator
import io.batpak.fs.spi.ForwardingFileHandle;
import io.batpak.fs.spi.ForwardingStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** A real backend that counts the fsyncs the store asks for (file and directory). */
public final class CountingStoreFs extends ForwardingStoreFs {
  private final AtomicLong syncs = new AtomicLong();

  public CountingStoreFs(StoreFs real) {
    super(real);
  }

  /** The provider's name, not the delegate's: the store and the contract suite go by it. */
  @Override
  public String name() {
    return CountingStoreFsProvider.NAME;
  }

  /** How many fsyncs the store asked for. */
  public long syncs() {
    return syncs.get();
  }

  @Override
  protected FileHandle onHandle(FileHandle handle) {
    return new ForwardingFileHandle(handle) {
      @Override
      public void sync(SyncMode mode) throws IOException {
        syncs.incrementAndGet();
        super.sync(mode);
      }
    };
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    syncs.incrementAndGet();
    super.syncDirectory(dir);
  }
}
// end-sample:decorator

package io.batpak.it.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.batpak.CopyReport;
import io.batpak.CopyReport.Sharing;
import io.batpak.Store;
import io.batpak.port.FileHandle;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

/**
 * Routing proof of the snapshot and fork publish path (docs/operations.md) over a Mockito spy on
 * the real {@code posix} backend: every file of the copy is made in the temporary directory and
 * synced (a copied file through its own handle; a hard link needs no content sync, its file was
 * synced when it was sealed), then the temporary directory is synced, then renamed to the
 * destination with {@link RenameMode#NO_REPLACE}, then the destination's parent is synced, in that
 * order; and the source's segments are only ever opened for reading.
 */
class SnapshotRoutingIT {
  @TempDir Path tmp;

  private record Run(StoreFsSpy spy, Path dir, Path dest, Path temp, CopyReport report) {}

  private Run run(boolean fork) throws IOException {
    Path dir = tmp.resolve("store");
    Path dest = tmp.resolve("copies").resolve(fork ? "fork" : "snap");
    Files.createDirectories(dest.getParent());
    StoreFs posix = CheckpointPublishRoutingIT.posix();
    StoreFsSpy spy = StoreFsSpy.around(posix);
    CopyReport report;
    try (Store s = Store.open(CheckpointPublishRoutingIT.spyConfig(dir, spy).build())) {
      ArtifactStores.appendSome(s, 60, "copy");
      report = fork ? s.fork(dest) : s.snapshot(dest);
      ArtifactStores.appendSome(s, 5, "after");
    }
    ArgumentCaptor<Path> from = ArgumentCaptor.forClass(Path.class);
    verify(spy.fs).rename(from.capture(), eq(dest), eq(RenameMode.NO_REPLACE));
    Path temp = from.getValue();
    assertEquals(dest.getParent(), temp.getParent(), "the temporary directory is a sibling");
    assertTrue(
        temp.getFileName().toString().startsWith("." + dest.getFileName() + ".batpak-tmp-"),
        temp.toString());
    return new Run(spy, dir, dest, temp, report);
  }

  private static void verifyPublishOrder(Run r, boolean fork) throws IOException {
    List<String> names;
    try (var files = Files.list(r.dest())) {
      names = new ArrayList<>(files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals(r.report().segments().size(), names.size(), names.toString());
    List<Object> mocks = new ArrayList<>();
    mocks.add(r.spy().fs);
    List<FileHandle> copied = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      if (r.report().segments().get(i).sharing() == Sharing.COPY) {
        FileHandle h = r.spy().createdHandle(r.temp().resolve(names.get(i)));
        copied.add(h);
        mocks.add(h);
      }
    }
    for (int i = 0; i < names.size(); i++) {
      Path in = r.temp().resolve(names.get(i));
      Sharing how = r.report().segments().get(i).sharing();
      InOrder order = inOrder(mocks.toArray());
      if (how == Sharing.COPY) {
        FileHandle h = r.spy().createdHandle(in);
        order.verify(r.spy().fs).create(in);
        order.verify(h, atLeastOnce()).write(any(), any(Long.class));
        order.verify(h).sync(SyncMode.ALL);
        order.verify(h).close();
      } else {
        assertTrue(fork, "a snapshot copies every segment");
        order.verify(r.spy().fs).link(r.dir().resolve(names.get(i)), in);
      }
      order.verify(r.spy().fs).syncDirectory(r.temp());
      order.verify(r.spy().fs).rename(r.temp(), r.dest(), RenameMode.NO_REPLACE);
      order.verify(r.spy().fs).syncDirectory(r.dest().getParent());
    }
    // The copy only reads the source (this session created its segments, so the journal never
    // reopened one either), and removes nothing of it.
    verify(r.spy().fs, never()).openWrite(argThat(p -> p.startsWith(r.dir())));
    for (String name : names) {
      verify(r.spy().fs, never()).deleteIfExists(r.dir().resolve(name));
    }
  }

  @Test
  void aSnapshotSyncsEveryCopyThenItsDirectoryThenRenamesThenSyncsTheParent() throws IOException {
    Run r = run(false);
    assertTrue(r.report().segments().size() >= 3, r.report().toString());
    verifyPublishOrder(r, false);
  }

  @Test
  void aForkLinksSealedSegmentsCopiesTheActiveOneAndPublishesTheSameWay() throws IOException {
    Run r = run(true);
    assertTrue(r.report().count(Sharing.HARD_LINK) + r.report().count(Sharing.REFLINK) >= 2);
    assertEquals(1, r.report().count(Sharing.COPY), r.report().toString());
    verifyPublishOrder(r, true);
  }
}

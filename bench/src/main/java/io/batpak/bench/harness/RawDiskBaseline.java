package io.batpak.bench.harness;

import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The raw limits: a plain {@link FileChannel} that appends frames of exactly the size the engine
 * writes for one event (computed with the engine's own {@link FrameCodec#frameSize}), {@code n}
 * frames per positional write, then {@code force(false)} ({@code fdatasync}, the engine's default
 * sync) for raw-disk, or nothing for raw-cpu. Same file policy as the engine: a new file, appended
 * to, not preallocated.
 */
final class RawDiskBaseline {
  private RawDiskBaseline() {}

  /** The size of the frame the engine writes for one event with this payload size. */
  static int frameSize(int payloadSize) {
    byte[] h = new byte[32];
    EventRecord r =
        new EventRecord(
            1,
            2,
            3,
            4,
            false,
            0,
            0,
            "order-000123",
            Payloads.SCOPE,
            BatpakSystem.KIND.raw(),
            7,
            8,
            9,
            0,
            0,
            new String[0],
            new byte[0][],
            h,
            h,
            h,
            new byte[payloadSize]);
    return FrameCodec.frameSize(List.of(r));
  }

  /** Opens the raw file for appending. */
  static FileChannel open(Path file) throws IOException {
    return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /** A buffer of {@code n} frames holding payloads of {@code p}. */
  static ByteBuffer group(Payloads p, int n) {
    int frame = frameSize(p.size());
    ByteBuffer b = ByteBuffer.allocateDirect(n * frame);
    for (int i = 0; i < n; i++) {
      int start = i * frame;
      b.putInt(start, frame - FrameCodec.PREFIX);
      b.putInt(start + 4, i);
      byte[] payload = p.bytes(i % Payloads.POOL);
      b.put(start + frame - payload.length, payload);
    }
    return b;
  }

  /** Writes the whole group at {@code position}; returns the bytes written. */
  static int writeGroup(FileChannel ch, ByteBuffer group, long position) throws IOException {
    group.clear();
    int n = 0;
    while (group.hasRemaining()) {
      n += ch.write(group, position + n);
    }
    return n;
  }
}

package io.batpak.engine.internal.index;

import io.batpak.engine.internal.artifact.BodyInput;
import io.batpak.engine.internal.artifact.BodyOutput;
import io.batpak.engine.internal.fence.CancelledRanges;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The whole index as bytes, for the index checkpoint (docs/format.md "Index checkpoint"): the
 * streams in id order (name, event count, head hash), the scopes in id order, then one column after
 * the other. Stream sequences and per-stream row lists are not stored: they follow from the stream
 * column, read in global order. The id table (event id to row) is stored as it is, so a load reads
 * it in one sequential pass instead of placing every id at a random slot again; so are the causal
 * columns (version 2: each row's next row with the same cause and in the same correlation) and the
 * two chain tables (cause id and correlation id to their first and last rows).
 */
public final class IndexImage {
  private IndexImage() {}

  /**
   * Writes the first {@code rows} rows. Only for the committer (or a closed pipeline), with every
   * added row published ({@code rows == index.size()}), so the stream heads are those of {@code
   * rows}.
   */
  public static void write(Index index, int rows, BodyOutput out) throws IOException {
    if (rows != index.size() || rows != index.visible()) {
      throw new IllegalStateException(
          "an image of " + rows + " rows of an index holding " + index.size());
    }
    int streams = index.streamCount();
    out.putInt(streams);
    for (int i = 0; i < streams; i++) {
      StreamState s = index.streamById(i);
      out.putString(s.entity()).putInt(s.count()).put(s.headHash());
    }
    int scopes = index.scopeCount();
    out.putInt(scopes);
    for (int i = 0; i < scopes; i++) {
      out.putString(index.scopeName(i));
    }
    Index.Columns c = index.columnsForImage();
    out.putLongs(c.idHi, rows).putLongs(c.idLo, rows);
    out.putInts(c.stream, rows).putInts(c.scope, rows).putChars(c.kind, rows);
    out.putLongs(c.location, rows).putInts(c.frameLength, rows).putInts(c.recordOffset, rows);
    int[] table = index.idTableForImage();
    out.putInt(table.length).putInts(table, table.length);
    putColumn(out, c.causeNext, rows, Index.END);
    putColumn(out, c.corrNext, rows, Index.OWN_CORRELATION | Index.END_OF_CORRELATION);
    index.causesForImage().write(out);
    index.correlationsForImage().write(out);
  }

  /** Writes a causal column; one not allocated yet holds {@code fill} in every row. */
  private static void putColumn(BodyOutput out, int[] column, int rows, int fill)
      throws IOException {
    if (column != null) {
      out.putInts(column, rows);
      return;
    }
    int[] chunk = new int[Math.min(rows, 1 << 16)];
    Arrays.fill(chunk, fill);
    for (int done = 0; done < rows; done += chunk.length) {
      out.putInts(chunk, Math.min(chunk.length, rows - done));
    }
  }

  /**
   * Reads a causal column of {@code rows} rows into a column of {@code capacity}, or null when
   * every row holds {@code fill} (as the index keeps it until it is needed).
   */
  private static int[] getColumn(BodyInput in, int rows, int capacity, int fill)
      throws IOException {
    int[] column = new int[capacity];
    in.getInts(column, rows);
    for (int r = 0; r < rows; r++) {
      if (column[r] != fill) {
        return column;
      }
    }
    return null;
  }

  /** An image that is not what its writer wrote; the message says what is wrong. */
  public static final class Inconsistent extends Exception {
    private static final long serialVersionUID = 1L;

    Inconsistent(String why) {
      super(why, null, false, false);
    }
  }

  /**
   * A decoded image, not yet installed: nothing of it may be believed before the body's CRC has
   * been checked.
   */
  public static final class Decoded {
    private final Index.Columns columns;
    private final int rows;
    private final List<StreamState> streams;
    private final String[] scopes;
    private final int[] idTable;
    private final CancelledRanges cancelled;
    private final IdChains causes;
    private final IdChains correlations;

    private Decoded(
        Index.Columns columns,
        int rows,
        List<StreamState> streams,
        String[] scopes,
        int[] idTable,
        CancelledRanges cancelled,
        IdChains causes,
        IdChains correlations) {
      this.cancelled = cancelled;
      this.causes = causes;
      this.correlations = correlations;
      this.columns = columns;
      this.rows = rows;
      this.streams = streams;
      this.scopes = scopes;
      this.idTable = idTable;
    }

    /** The number of rows. */
    public int rows() {
      return rows;
    }

    /** The segment of row {@code row}'s frame. */
    public int segment(int row) {
      return (int) (columns.location[row] >>> Index.OFFSET_BITS);
    }

    /** The offset of row {@code row}'s frame. */
    public long frameOffset(int row) {
      return columns.location[row] & Index.OFFSET_MASK;
    }

    /** The length of row {@code row}'s frame. */
    public int frameLength(int row) {
      return columns.frameLength[row] & Index.FRAME_LENGTH_MASK;
    }

    /** The offset of row {@code row}'s record in its frame body. */
    public int recordOffset(int row) {
      return columns.recordOffset[row];
    }

    /**
     * The end of the last frame of segment {@code segment} that the image places there, or -1 if it
     * places none there. Rows are in journal order, so this is a binary search.
     */
    public long lastFrameEnd(long segment) {
      long past = (segment + 1) << Index.OFFSET_BITS;
      int lo = 0;
      int hi = rows;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (columns.location[mid] < past) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      int last = lo - 1;
      if (last < 0 || segment(last) != segment) {
        return -1;
      }
      return frameOffset(last) + frameLength(last);
    }

    /** Installs the image into the empty {@code index}. */
    public void installInto(Index index) {
      index.install(columns, rows, streams, scopes, idTable, cancelled, causes, correlations);
    }
  }

  /**
   * Reads an image of {@code rows} rows.
   *
   * @throws Inconsistent if the streams and the columns disagree
   */
  public static Decoded read(BodyInput in, int rows) throws IOException, Inconsistent {
    if (rows < 0 || rows > Index.MAX_EVENTS) {
      throw new Inconsistent("an image of " + rows + " rows");
    }
    int streamCount = in.getInt();
    if (streamCount < 0 || streamCount > rows) {
      throw new Inconsistent(streamCount + " streams for " + rows + " events");
    }
    List<StreamState> streams = new ArrayList<>(streamCount);
    int[] counts = new int[streamCount];
    byte[][] heads = new byte[streamCount][];
    for (int i = 0; i < streamCount; i++) {
      streams.add(new StreamState(in.getString(), i));
      counts[i] = in.getInt();
      heads[i] = in.getBytes(32);
    }
    // Checked before anything is sized by them: the body's CRC is checked only at its end.
    long total = 0;
    for (int i = 0; i < streamCount; i++) {
      if (counts[i] < 0 || counts[i] > rows) {
        throw new Inconsistent(
            "stream '"
                + streams.get(i).entity()
                + "' with "
                + counts[i]
                + " of "
                + rows
                + " events");
      }
      total += counts[i];
    }
    if (total > rows) {
      throw new Inconsistent("the streams' event counts sum to " + total + ", not " + rows);
    }
    int scopeCount = in.getInt();
    if (scopeCount < 0 || scopeCount > Math.max(rows, 1)) {
      throw new Inconsistent(scopeCount + " scopes for " + rows + " events");
    }
    String[] scopes = new String[scopeCount];
    for (int i = 0; i < scopeCount; i++) {
      scopes[i] = in.getString();
    }
    Index.Columns c = new Index.Columns(Math.max(1024, rows + (rows >>> 3)));
    in.getLongs(c.idHi, rows);
    in.getLongs(c.idLo, rows);
    in.getInts(c.stream, rows);
    in.getInts(c.scope, rows);
    in.getChars(c.kind, rows);
    in.getLongs(c.location, rows);
    in.getInts(c.frameLength, rows);
    in.getInts(c.recordOffset, rows);
    CancelledRanges cancelled = CancelledRanges.NONE;
    long cancelledRows = 0;
    for (int r = 0; r < rows; r++) {
      if (c.stream[r] == Index.CANCELLED) {
        // A cancelled event (ADR 0015): it keeps its row but belongs to no stream.
        cancelled = cancelled.plus(r, r + 1);
        cancelledRows++;
      }
    }
    if (total != rows - cancelledRows) {
      throw new Inconsistent(
          "the streams' event counts sum to "
              + total
              + ", not "
              + (rows - cancelledRows)
              + (cancelledRows == 0
                  ? ""
                  : " (" + rows + " rows less " + cancelledRows + " cancelled)"));
    }
    int[][] streamRows = new int[streamCount][];
    int[] filled = new int[streamCount];
    for (int i = 0; i < streamCount; i++) {
      streamRows[i] = new int[Math.max(4, counts[i])];
    }
    for (int r = 0; r < rows; r++) {
      int s = c.stream[r];
      int scope = c.scope[r];
      if (s == Index.CANCELLED) {
        continue;
      }
      if (s < 0 || s >= streamCount || scope < 0 || scope >= scopeCount) {
        throw new Inconsistent("row " + r + " names stream " + s + " and scope " + scope);
      }
      int n = filled[s];
      if (n == counts[s]) {
        throw new Inconsistent(
            "stream '" + streams.get(s).entity() + "' has more than its " + counts[s] + " events");
      }
      c.streamSeq[r] = n;
      streamRows[s][n] = r;
      filled[s] = n + 1;
    }
    for (int i = 0; i < streamCount; i++) {
      if (filled[i] != counts[i]) {
        throw new Inconsistent(
            "stream '"
                + streams.get(i).entity()
                + "' has "
                + filled[i]
                + " events, not its "
                + counts[i]);
      }
      streams.get(i).restore(streamRows[i], counts[i], heads[i]);
    }
    int tableLength = in.getInt();
    if (tableLength < 2048
        || Integer.bitCount(tableLength) != 1
        || tableLength * 3L < (rows + 1L) * 4
        || tableLength > in.remaining() / 4) {
      throw new Inconsistent("an id table of " + tableLength + " slots for " + rows + " events");
    }
    int[] table = new int[tableLength];
    in.getInts(table, tableLength);
    int placed = 0;
    for (int slot : table) {
      if (slot < 0 || slot > rows) {
        throw new Inconsistent("an id table slot naming row " + (slot - 1) + " of " + rows);
      }
      placed += slot == 0 ? 0 : 1;
    }
    if (placed != rows) {
      throw new Inconsistent("an id table holding " + placed + " of " + rows + " events");
    }
    int[] causeNext = getColumn(in, rows, c.capacity(), Index.END);
    int[] corrNext =
        getColumn(in, rows, c.capacity(), Index.OWN_CORRELATION | Index.END_OF_CORRELATION);
    c = new Index.Columns(c, causeNext, corrNext);
    for (int r = 0; r < rows && (causeNext != null || corrNext != null); r++) {
      int next = causeNext == null ? Index.END : causeNext[r];
      int corr = corrNext == null ? Index.END_OF_CORRELATION : corrNext[r] & ~Index.OWN_CORRELATION;
      if ((next != Index.END && (next <= r || next >= rows))
          || (corr != Index.END_OF_CORRELATION && (corr <= r || corr >= rows))) {
        throw new Inconsistent(
            "row " + r + " chains to rows " + next + " (cause) and " + corr + " (correlation)");
      }
    }
    IdChains causes = IdChains.read(in, rows, "causation");
    IdChains correlations = IdChains.read(in, rows, "correlation");
    return new Decoded(c, rows, streams, scopes, table, cancelled, causes, correlations);
  }
}

package io.batpak.it.docs.samples;

// sample:projection
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Projection;
import io.batpak.ProjectionResult;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

public class ProjectionSample {
  static final EventKind DEPOSITED = EventKind.custom(1, 1);
  static final EventKind WITHDRAWN = EventKind.custom(1, 2);

  /** The balance of an account in cents: a fold over its deposits and withdrawals. */
  static final Projection<Long> BALANCE =
      Projection.of(
          "accounts.balance", // a stable id, never a class name
          1, // bump when the fold or the state changes
          Set.of(DEPOSITED, WITHDRAWN), // the kinds it reads; Set.of() for every kind
          0L,
          Long.class,
          (cents, e) -> {
            long amount = Long.parseLong(e.payload().toUtf8());
            return e.header().kind().equals(DEPOSITED) ? cents + amount : cents - amount;
          });

  public static void main(String[] args) throws Exception {
    run(Files.createTempDirectory("batpak-projection-sample"));
  }

  static void run(Path dir) {
    StoreConfig config = StoreConfig.builder(dir).projectionCache(true).build();
    try (Store store = Store.open(config)) {
      Coordinate alice = Coordinate.of("account:alice", "bank");
      store.append(alice, DEPOSITED, Bytes.utf8("5000"));
      store.append(alice, WITHDRAWN, Bytes.utf8("1250"));

      ProjectionResult<Long> balance = store.project("account:alice", BALANCE);
      assert balance.state() == 3750L;
      assert balance.streamVersion() == 2; // the stream's events it reflects
      assert balance.watermark() == 1; // every visible event up to global sequence 1 considered

      // Nothing new: no fold at all.
      Optional<ProjectionResult<Long>> same =
          store.projectIfChanged("account:alice", BALANCE, balance.streamVersion());
      assert same.isEmpty();

      store.append(alice, DEPOSITED, Bytes.utf8("100"));
      long now =
          store
              .projectIfChanged("account:alice", BALANCE, balance.streamVersion())
              .orElseThrow()
              .state();
      assert now == 3850L;

      // Over a region: every account (the namespace "account" and its "account:..." streams).
      store.append(Coordinate.of("account:bob", "bank"), DEPOSITED, Bytes.utf8("70"));
      ProjectionResult<Long> total = store.project(Region.entity("account"), BALANCE);
      assert total.state() == 3920L;
      assert total.streamVersion() == -1; // a region has no stream version
    }
  }
}
// end-sample:projection

package io.batpak.engine.internal.sign;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.ReceiptSignature;
import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventRecord;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Signs the receipts one group commit hands out: one receipt tree over all of them (new events and
 * retries answered by stored events alike), one Ed25519 signature of its root, and each receipt
 * gets the root, the signature and its inclusion proof. Confined to one thread (it keeps a digest
 * and a signer).
 */
public final class ReceiptSigner {
  private final KeyRing keys;
  private final Blake3 blake3 = new Blake3();
  private final Ed25519Signer signer = new Ed25519Signer();

  /** A signer with the ring's signing key; {@code keys.signs()} must hold. */
  public ReceiptSigner(KeyRing keys) {
    if (!keys.signs()) {
      throw new IllegalArgumentException("the key ring has no signing key");
    }
    this.keys = keys;
    signer.init(true, keys.signingKey());
  }

  /**
   * The signed receipts of {@code answers}: one list of receipts per list of events, in order.
   *
   * @throws RuntimeException whatever the signing primitive throws (a defect)
   */
  public List<List<AppendReceipt>> sign(List<List<EventRecord>> answers) {
    List<byte[]> leaves = new ArrayList<>();
    for (List<EventRecord> events : answers) {
      for (EventRecord e : events) {
        leaves.add(ReceiptTree.leaf(blake3, ReceiptCover.of(e)));
      }
    }
    List<List<AppendReceipt>> out = new ArrayList<>(answers.size());
    if (leaves.isEmpty()) {
      for (int i = 0; i < answers.size(); i++) {
        out.add(List.of());
      }
      return out;
    }
    ReceiptTree.Built tree = ReceiptTree.build(blake3, leaves);
    byte[] message = ReceiptTree.message(ReceiptCover.VERSION, leaves.size(), tree.root());
    signer.update(message, 0, message.length);
    Bytes signature = Bytes.ofOwned(signer.generateSignature());
    Bytes keyId = Bytes.of(keys.signingKeyId());
    Bytes root = Bytes.of(tree.root());
    int leaf = 0;
    for (List<EventRecord> events : answers) {
      List<AppendReceipt> receipts = new ArrayList<>(events.size());
      for (EventRecord e : events) {
        List<byte[]> proof = tree.proofs().get(leaf);
        List<Bytes> siblings = new ArrayList<>(proof.size());
        for (byte[] p : proof) {
          siblings.add(Bytes.of(p));
        }
        receipts.add(
            e.toReceipt()
                .withSignature(
                    new ReceiptSignature(
                        ReceiptCover.VERSION,
                        keyId,
                        signature,
                        root,
                        leaf,
                        leaves.size(),
                        siblings)));
        leaf++;
      }
      out.add(receipts);
    }
    return out;
  }
}

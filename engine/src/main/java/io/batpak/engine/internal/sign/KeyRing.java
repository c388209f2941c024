package io.batpak.engine.internal.sign;

import io.batpak.Bytes;
import io.batpak.SigningPolicy;
import io.batpak.StoreConfig;
import io.batpak.engine.internal.format.Blake3;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * A store's Ed25519 keys: the newest configured signing key signs (when the policy signs), every
 * signing key and every verify-only key verifies, each known by its key id {@code BLAKE3(public
 * key)}. Immutable and thread-safe. Holds private keys: never printed (no {@code toString} of a key
 * exists here; {@link #toString()} says only how many keys there are).
 */
public final class KeyRing {
  private final SigningPolicy policy;
  private final Ed25519PrivateKeyParameters signingKey;
  private final byte[] signingKeyId;
  private final Map<Bytes, Ed25519PublicKeyParameters> verifying;

  private KeyRing(
      SigningPolicy policy,
      Ed25519PrivateKeyParameters signingKey,
      byte[] signingKeyId,
      Map<Bytes, Ed25519PublicKeyParameters> verifying) {
    this.policy = policy;
    this.signingKey = signingKey;
    this.signingKeyId = signingKeyId;
    this.verifying = verifying;
  }

  /** The keys and policy {@code config} names (already validated by its builder). */
  public static KeyRing of(StoreConfig config) {
    Blake3 blake3 = new Blake3();
    Map<Bytes, Ed25519PublicKeyParameters> verifying = new LinkedHashMap<>();
    Ed25519PrivateKeyParameters newest = null;
    byte[] newestId = null;
    for (Bytes seed : config.signingKeys()) {
      Ed25519PrivateKeyParameters k = new Ed25519PrivateKeyParameters(seed.toByteArray(), 0);
      Ed25519PublicKeyParameters pub = k.generatePublicKey();
      byte[] id = keyId(blake3, pub.getEncoded());
      verifying.put(Bytes.ofOwned(id), pub);
      newest = k;
      newestId = id;
    }
    for (Bytes pub : config.verifyingKeys()) {
      Ed25519PublicKeyParameters p = new Ed25519PublicKeyParameters(pub.toByteArray(), 0);
      verifying.putIfAbsent(Bytes.ofOwned(keyId(blake3, p.getEncoded())), p);
    }
    boolean signs = config.signingPolicy() != SigningPolicy.OFF && newest != null;
    return new KeyRing(
        config.signingPolicy(),
        signs ? newest : null,
        signs ? newestId : null,
        Map.copyOf(verifying));
  }

  /** The key id of a 32-byte Ed25519 public key: {@code BLAKE3(publicKey)}. */
  public static byte[] keyId(Blake3 blake3, byte[] publicKey) {
    return blake3.hash(publicKey, 0, publicKey.length);
  }

  /** The store's signing policy. */
  public SigningPolicy policy() {
    return policy;
  }

  /** Whether receipts are signed: the policy is not OFF and a signing key is configured. */
  public boolean signs() {
    return signingKey != null;
  }

  /** The key that signs, or null when nothing is signed. */
  Ed25519PrivateKeyParameters signingKey() {
    return signingKey;
  }

  /** The id of the key that signs, or null. */
  byte[] signingKeyId() {
    return signingKeyId;
  }

  /** The public key with id {@code keyId}, or null when none is configured. */
  Ed25519PublicKeyParameters verifying(Bytes keyId) {
    return verifying.get(keyId);
  }

  @Override
  public String toString() {
    return "KeyRing{policy=" + policy + ", signs=" + signs() + ", keys=" + verifying.size() + "}";
  }
}

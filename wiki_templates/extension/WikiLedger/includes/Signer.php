<?php
/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/), with no MediaWiki dependency
 * so that the tests can run it with the plain PHP command line and compare it with Python's.
 *
 * @file
 * @license AGPL-3.0-or-later
 */

namespace MediaWiki\Extension\WikiLedger;

use InvalidArgumentException;

class Signer {
	/** Prefix of a secret given as base64 (the Standard Webhooks convention). */
	public const SECRET_PREFIX = 'whsec_';

	/** Base64 with its padding, checked as strictly as Python's base64.b64decode( validate=True ). */
	private const BASE64 = '/^(?:[A-Za-z0-9+\/]{4})*(?:[A-Za-z0-9+\/]{2}==|[A-Za-z0-9+\/]{3}=)?$/D';

	/** Characters trimmed around a configured secret; the Python side trims the same set. */
	private const TRIMMED = " \t\n\r\0\x0B";

	/** @var string The HMAC key (raw bytes) */
	private $key;

	/**
	 * @param string $secret The configured secret, see decodeSecret()
	 * @throws InvalidArgumentException When the secret is empty or badly encoded
	 */
	public function __construct( string $secret ) {
		$this->key = self::decodeSecret( $secret );
	}

	/**
	 * The HMAC key for a configured secret: `whsec_<base64>` gives the decoded bytes,
	 * any other string gives its own (UTF-8) bytes. Surrounding whitespace is ignored.
	 *
	 * @param string $secret
	 * @return string Raw key bytes
	 * @throws InvalidArgumentException When the secret is empty or badly encoded
	 */
	public static function decodeSecret( string $secret ): string {
		$secret = trim( $secret, self::TRIMMED );
		if ( strncmp( $secret, self::SECRET_PREFIX, strlen( self::SECRET_PREFIX ) ) === 0 ) {
			$encoded = substr( $secret, strlen( self::SECRET_PREFIX ) );
			if ( !preg_match( self::BASE64, $encoded ) ) {
				throw new InvalidArgumentException( 'whsec_ secret is not valid base64' );
			}
			$key = base64_decode( $encoded, true );
			if ( $key === false ) {
				throw new InvalidArgumentException( 'whsec_ secret is not valid base64' );
			}
		} else {
			$key = $secret;
		}
		if ( $key === '' ) {
			throw new InvalidArgumentException( 'empty secret' );
		}
		return $key;
	}

	/**
	 * A fresh message id: `msg_` and 32 random hex digits.
	 *
	 * @return string
	 */
	public static function newMessageId(): string {
		return 'msg_' . bin2hex( random_bytes( 16 ) );
	}

	/**
	 * The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
	 *
	 * @param string $msgId
	 * @param int $timestamp Unix seconds
	 * @param string $body The exact bytes that are posted
	 * @return string
	 */
	public function sign( string $msgId, int $timestamp, string $body ): string {
		$mac = hash_hmac( 'sha256', $msgId . '.' . $timestamp . '.' . $body, $this->key, true );
		return 'v1,' . base64_encode( $mac );
	}

	/**
	 * The three Standard Webhooks headers and the content type for one body.
	 *
	 * @param string $body
	 * @param int $timestamp Unix seconds
	 * @param string|null $msgId A fresh id when null
	 * @return array<string,string> Header name => value
	 */
	public function headers( string $body, int $timestamp, ?string $msgId = null ): array {
		$msgId = $msgId ?? self::newMessageId();
		return [
			'Content-Type' => 'application/json',
			'webhook-id' => $msgId,
			'webhook-timestamp' => (string)$timestamp,
			'webhook-signature' => $this->sign( $msgId, $timestamp, $body ),
		];
	}
}

<?php
/**
 * Posts signed webhook events to the wikiledger service after the response is sent.
 *
 * Failures are logged to the "WikiLedger" debug log group and never reach the user: the service
 * also re-reads recent changes, so a lost webhook only delays a summary page.
 *
 * @file
 * @license AGPL-3.0-or-later
 */

namespace MediaWiki\Extension\WikiLedger;

use Config;
use DeferredUpdates;
use InvalidArgumentException;
use MediaWiki\Http\HttpRequestFactory;
use Throwable;

class Notifier {
	/** @var string */
	private $url;

	/** @var string */
	private $secret;

	/** @var string[] Normalised user names whose actions are not sent */
	private $skipUsers;

	/** @var int|float */
	private $timeout;

	/** @var HttpRequestFactory */
	private $httpRequestFactory;

	/**
	 * @param string $url Webhook URL; empty disables sending
	 * @param string $secret Signing secret (see Signer::decodeSecret); empty disables sending
	 * @param string[] $skipUsers
	 * @param int|float $timeout Seconds
	 * @param HttpRequestFactory $httpRequestFactory
	 */
	public function __construct(
		string $url,
		string $secret,
		array $skipUsers,
		$timeout,
		HttpRequestFactory $httpRequestFactory
	) {
		$this->url = trim( $url );
		$this->secret = $secret;
		$this->skipUsers = array_map( [ self::class, 'normaliseUserName' ], $skipUsers );
		$this->timeout = is_numeric( $timeout ) && $timeout > 0 ? $timeout : 3;
		$this->httpRequestFactory = $httpRequestFactory;
	}

	public static function newFromConfig( Config $config, HttpRequestFactory $httpRequestFactory ): self {
		return new self(
			(string)$config->get( 'WikiLedgerWebhookUrl' ),
			(string)$config->get( 'WikiLedgerWebhookSecret' ),
			(array)$config->get( 'WikiLedgerSkipUsers' ),
			$config->get( 'WikiLedgerTimeout' ),
			$httpRequestFactory
		);
	}

	/**
	 * User names compared as MediaWiki stores them: `_` is a space, first letter upper case.
	 *
	 * @param string $name
	 * @return string
	 */
	public static function normaliseUserName( string $name ): string {
		$name = trim( str_replace( '_', ' ', $name ) );
		if ( $name === '' ) {
			return '';
		}
		$first = mb_substr( $name, 0, 1 );
		return mb_strtoupper( $first ) . mb_substr( $name, 1 );
	}

	public function isSkippedUser( ?string $name ): bool {
		return $name !== null && in_array( self::normaliseUserName( $name ), $this->skipUsers, true );
	}

	/**
	 * Send one event after the response is sent to the user.
	 *
	 * The payload is built at that time, once the database changes are committed.
	 *
	 * @param callable(): ?array $makePayload Returns the event, or null to send nothing
	 */
	public function notifyLater( callable $makePayload ): void {
		if ( $this->url === '' || trim( $this->secret ) === '' ) {
			wfDebugLog( 'WikiLedger', 'webhook URL or secret not configured: nothing sent' );
			return;
		}
		DeferredUpdates::addCallableUpdate( function () use ( $makePayload ) {
			try {
				$payload = $makePayload();
				if ( $payload !== null ) {
					$this->post( $payload );
				}
			} catch ( Throwable $e ) {
				wfDebugLog( 'WikiLedger', 'webhook not sent: ' . get_class( $e ) . ': ' . $e->getMessage() );
			}
		}, DeferredUpdates::POSTSEND );
	}

	/**
	 * Sign and post one event now.
	 *
	 * @param array $payload
	 * @return bool Whether the service accepted it (2xx)
	 */
	public function post( array $payload ): bool {
		try {
			$signer = new Signer( $this->secret );
		} catch ( InvalidArgumentException $e ) {
			// The message never contains the secret itself.
			wfDebugLog( 'WikiLedger', 'webhook not sent: bad $wgWikiLedgerWebhookSecret: ' . $e->getMessage() );
			return false;
		}
		$body = json_encode( $payload, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES );
		if ( $body === false ) {
			wfDebugLog( 'WikiLedger', 'webhook not sent: payload is not encodable as JSON' );
			return false;
		}
		$request = $this->httpRequestFactory->create( $this->url, [
			'method' => 'POST',
			'postData' => $body,
			'timeout' => $this->timeout,
			'connectTimeout' => $this->timeout,
			'followRedirects' => false,
		], __METHOD__ );
		$headers = $signer->headers( $body, time() );
		foreach ( $headers as $name => $value ) {
			$request->setHeader( $name, $value );
		}
		$status = $request->execute();
		$code = $request->getStatus();
		if ( !$status->isOK() || $code < 200 || $code >= 300 ) {
			wfDebugLog( 'WikiLedger', sprintf(
				'webhook %s (%s "%s") to %s failed: HTTP %d %s',
				$headers['webhook-id'], $payload['event'] ?? '?', $payload['title'] ?? '?',
				$this->url, $code, $status->isOK() ? '' : self::describeErrors( $status )
			) );
			return false;
		}
		wfDebugLog( 'WikiLedger', sprintf(
			'webhook %s (%s "%s") accepted: HTTP %d',
			$headers['webhook-id'], $payload['event'] ?? '?', $payload['title'] ?? '?', $code
		) );
		return true;
	}

	/**
	 * @param \StatusValue $status
	 * @return string The error message keys, for the debug log
	 */
	private static function describeErrors( $status ): string {
		$keys = [];
		foreach ( $status->getErrors() as $error ) {
			$message = $error['message'];
			$keys[] = is_string( $message ) ? $message : get_class( $message );
		}
		return implode( ', ', $keys );
	}
}

<?php
/**
 * Hook handlers: turn page saves, deletions, moves and undeletions into webhook events.
 *
 * Each event is `{"event", "title", "page_id", "rev_id", "timestamp", "user"}` (plus "old_title"
 * for a move), built and posted after the response is sent (see Notifier).
 *
 * @file
 * @license AGPL-3.0-or-later
 */

namespace MediaWiki\Extension\WikiLedger;

// Global names for the classes that MediaWiki 1.39 has only there (1.43 keeps them as aliases);
// namespaced names where both 1.39 and 1.43 have them.
use Config;
use IDBAccessObject;
use ManualLogEntry;
use MediaWiki\Hook\PageMoveCompleteHook;
use MediaWiki\Http\HttpRequestFactory;
use MediaWiki\Page\Hook\PageDeleteCompleteHook;
use MediaWiki\Page\Hook\PageUndeleteHook;
use MediaWiki\Page\ProperPageIdentity;
use MediaWiki\Permissions\Authority;
use MediaWiki\Revision\RevisionRecord;
use MediaWiki\Storage\Hook\PageSaveCompleteHook;
use MediaWiki\Title\Title;
use RequestContext;
use StatusValue;
use TitleFormatter;

class Hooks implements
	PageSaveCompleteHook,
	PageDeleteCompleteHook,
	PageMoveCompleteHook,
	PageUndeleteHook
{
	/** @var Notifier */
	private $notifier;

	/** @var TitleFormatter */
	private $titleFormatter;

	/** @var string[] Prefixed DB key => name of who is undeleting it, during this request */
	private $undeleters = [];

	public function __construct(
		Config $config,
		HttpRequestFactory $httpRequestFactory,
		TitleFormatter $titleFormatter
	) {
		$this->notifier = Notifier::newFromConfig( $config, $httpRequestFactory );
		$this->titleFormatter = $titleFormatter;
	}

	/**
	 * @param string|null $mwTimestamp A MediaWiki timestamp, or null for now
	 * @return string ISO 8601 in UTC, e.g. 2026-03-12T10:00:00Z
	 */
	private static function isoTimestamp( ?string $mwTimestamp = null ): string {
		return (string)wfTimestamp( TS_ISO_8601, $mwTimestamp ?? time() );
	}

	/**
	 * A page was saved. Null edits (nothing changed) and the skipped users' edits are not sent.
	 *
	 * @inheritDoc
	 */
	public function onPageSaveComplete( $wikiPage, $user, $summary, $flags, $revisionRecord, $editResult ) {
		if ( $editResult->isNullEdit() || $this->notifier->isSkippedUser( $user->getName() ) ) {
			return;
		}
		$payload = [
			'event' => 'edit',
			'title' => $wikiPage->getTitle()->getPrefixedText(),
			'page_id' => $wikiPage->getId(),
			'rev_id' => $revisionRecord->getId(),
			'timestamp' => self::isoTimestamp( $revisionRecord->getTimestamp() ),
			'user' => $user->getName(),
		];
		$this->notifier->notifyLater( static function () use ( $payload ) {
			return $payload;
		} );
	}

	/**
	 * A page was deleted; rev_id is its last revision, now archived.
	 *
	 * @inheritDoc
	 */
	public function onPageDeleteComplete(
		ProperPageIdentity $page,
		Authority $deleter,
		string $reason,
		int $pageID,
		RevisionRecord $deletedRev,
		ManualLogEntry $logEntry,
		int $archivedRevisionCount
	) {
		$userName = $deleter->getUser()->getName();
		if ( $this->notifier->isSkippedUser( $userName ) ) {
			return;
		}
		$payload = [
			'event' => 'delete',
			'title' => $this->titleFormatter->getPrefixedText( $page ),
			'page_id' => $pageID,
			'rev_id' => $deletedRev->getId(),
			'timestamp' => self::isoTimestamp( $logEntry->getTimestamp() ),
			'user' => $userName,
		];
		$this->notifier->notifyLater( static function () use ( $payload ) {
			return $payload;
		} );
	}

	/**
	 * A page was moved: "title" is the new title, "old_title" the old one (left as a redirect
	 * or gone); "page_id" is the moved page's id, unchanged by the move.
	 *
	 * @inheritDoc
	 */
	public function onPageMoveComplete( $old, $new, $user, $pageid, $redirid, $reason, $revision ) {
		if ( $this->notifier->isSkippedUser( $user->getName() ) ) {
			return;
		}
		$payload = [
			'event' => 'move',
			'title' => $this->titleFormatter->getPrefixedText( $new ),
			'page_id' => (int)$pageid,
			'rev_id' => $revision->getId(),
			'timestamp' => self::isoTimestamp( $revision->getTimestamp() ),
			'user' => $user->getName(),
			'old_title' => $this->titleFormatter->getPrefixedText( $old ),
		];
		$this->notifier->notifyLater( static function () use ( $payload ) {
			return $payload;
		} );
	}

	/**
	 * A page is about to be undeleted: remember who does it, which ArticleUndelete is not told.
	 *
	 * @inheritDoc
	 */
	public function onPageUndelete(
		ProperPageIdentity $page,
		Authority $performer,
		string $reason,
		bool $unsuppress,
		array $timestamps,
		array $fileVersions,
		StatusValue $status
	) {
		$key = $this->titleFormatter->getPrefixedDBkey( $page );
		$this->undeleters[$key] = $performer->getUser()->getName();
	}

	/**
	 * Revisions of a page were restored (MediaWiki 1.39; from 1.40 on this deprecated hook is
	 * skipped, because extension.json flags it "deprecated", and onPageUndeleteComplete runs).
	 *
	 * @param Title $title
	 * @param bool $create
	 * @param string $comment
	 * @param int|null $oldPageId
	 * @param array $restoredPages
	 * @return void
	 */
	public function onArticleUndelete( $title, $create, $comment, $oldPageId, $restoredPages ) {
		$userName = $this->undeleters[$title->getPrefixedDBkey()]
			?? RequestContext::getMain()->getUser()->getName();
		if ( $this->notifier->isSkippedUser( $userName ) ) {
			return;
		}
		$prefixedText = $title->getPrefixedText();
		$timestamp = self::isoTimestamp();
		// Called inside the undeletion's transaction: read the restored page after the commit.
		$this->notifier->notifyLater( static function () use (
			$title, $oldPageId, $prefixedText, $timestamp, $userName
		) {
			return [
				'event' => 'undelete',
				'title' => $prefixedText,
				'page_id' => $title->getArticleID( IDBAccessObject::READ_LATEST ) ?: (int)$oldPageId,
				'rev_id' => $title->getLatestRevID( IDBAccessObject::READ_LATEST ) ?: null,
				'timestamp' => $timestamp,
				'user' => $userName,
			];
		} );
	}

	/**
	 * A page was undeleted (MediaWiki 1.40 and later; never called by 1.39).
	 *
	 * @param ProperPageIdentity $page
	 * @param Authority $restorer
	 * @param string $reason
	 * @param RevisionRecord $restoredRev
	 * @param ManualLogEntry $logEntry
	 * @param int $restoredRevisionCount
	 * @param bool $created
	 * @param array $restoredPageIds
	 * @return void
	 */
	public function onPageUndeleteComplete(
		$page, $restorer, $reason, $restoredRev, $logEntry, $restoredRevisionCount, $created,
		$restoredPageIds
	): void {
		$userName = $restorer->getUser()->getName();
		if ( $this->notifier->isSkippedUser( $userName ) ) {
			return;
		}
		$payload = [
			'event' => 'undelete',
			'title' => $this->titleFormatter->getPrefixedText( $page ),
			'page_id' => $page->getId(),
			'rev_id' => $restoredRev->getId(),
			'timestamp' => self::isoTimestamp( $logEntry->getTimestamp() ),
			'user' => $userName,
		];
		$this->notifier->notifyLater( static function () use ( $payload ) {
			return $payload;
		} );
	}
}

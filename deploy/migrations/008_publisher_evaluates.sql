-- Evaluation belongs to the alert publisher alone (since 007 a worker only
-- logs its events, folds them into facts and marks what they touched), so
-- the rights it needs move from the worker role to the publisher's: a
-- worker can no longer write a post's state or the outbox, lock posts, or
-- take marks.
REVOKE INSERT, UPDATE ON post_state FROM succession_worker;
REVOKE INSERT ON outbox FROM succession_worker;
REVOKE USAGE ON SEQUENCE outbox_id_seq FROM succession_worker;
REVOKE EXECUTE ON FUNCTION lock_posts(text[]) FROM succession_worker;
REVOKE DELETE ON dirty_post, dirty_person FROM succession_worker;

GRANT INSERT, UPDATE ON post_state TO succession_publisher;
GRANT INSERT ON outbox TO succession_publisher;
GRANT USAGE ON SEQUENCE outbox_id_seq TO succession_publisher;
GRANT EXECUTE ON FUNCTION lock_posts(text[]) TO succession_publisher;
GRANT DELETE ON dirty_post, dirty_person TO succession_publisher;

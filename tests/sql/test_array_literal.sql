-- The array literals db_array_append writes (tests/sql/array_literal.c, in
-- :literal) read back through PostgreSQL's own array parser as exactly the
-- elements they were made of, which :elements gives independently: each as
-- hex of its UTF-8 bytes, or NULL.
BEGIN;
SELECT plan(4);

CREATE TEMP TABLE made AS
SELECT u.ord, CASE WHEN u.hex = 'NULL' THEN NULL
                   ELSE convert_from(decode(u.hex, 'hex'), 'UTF8') END AS element
FROM unnest(string_to_array(:'elements', ',')) WITH ORDINALITY AS u(hex, ord);

SELECT is(cardinality(:'literal'::text[]), (SELECT count(*)::integer FROM made),
          'the literal holds one element per element appended');
SELECT is(:'literal'::text[], (SELECT array_agg(element ORDER BY ord) FROM made),
          'every element reads back byte for byte: quotes, backslashes, commas, braces, '
          'white space, line breaks, empty, the word NULL, non-ASCII');
SELECT is((SELECT count(*)::integer FROM unnest(:'literal'::text[]) AS e WHERE e IS NULL), 1,
          'the NULL element, and only it, reads back as NULL');
SELECT is((SELECT count(*)::integer FROM unnest(:'literal'::text[]) AS e WHERE e = ''), 1,
          'the empty string stays an empty string');

SELECT * FROM finish(true);
ROLLBACK;

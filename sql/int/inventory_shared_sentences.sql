-- Sentences the inventory's task descriptions repeat verbatim, as the matcher reads them (code and
-- answering turns taken out, split at . ! ? : ; and line breaks), each in at least 3 tasks. Those in
-- at least the boilerplate share of the tasks (TASKVALUE_BOILERPLATE_SHARE, default 30%) are
-- boilerplate: the matcher drops them before matching (environment preambles and grading rules
-- describe no work). The others are matched as each task's own words, so a preamble one harness puts
-- in front of many tasks ("... network access disabled") can pull them toward one occupation; they
-- are listed here to be seen, and the setting drops them (the README weighs what that costs).
-- columns:
--   sentence: The repeated sentence.
--   tasks: Inventory tasks whose description holds the sentence.
--   share_of_tasks: tasks / every accepted inventory task (staging.inventory_tasks; 0-1).
--   is_boilerplate: True when the matcher drops the sentence: tasks >= boilerplate_floor_tasks.
--   boilerplate_floor_tasks: Tasks a sentence must be in to be boilerplate: max(3, the boilerplate
--     share x the tasks, rounded up).
--   boilerplate_share: The boilerplate share in force (TASKVALUE_BOILERPLATE_SHARE).
--   inventory_fingerprint: The inventory the sentences were counted on (its task IDs and descriptions
--     hashed): the matcher drops this table's boilerplate only when it matches the inventory it
--     matches, and finds it itself otherwise.
select
    sentence,
    tasks,
    tasks / $all_tasks as share_of_tasks,
    tasks >= $floor as is_boilerplate,
    $floor::bigint as boilerplate_floor_tasks,
    $share::double as boilerplate_share,
    $fingerprint::ubigint as inventory_fingerprint
from inventory_shared_sentences_frame
order by tasks desc, sentence

ALTER TABLE "member_performance" ADD COLUMN "earlier_personal_net" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "member_performance" ADD COLUMN "earlier_team_net" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Existing rows: the sums of each member's earlier months.
WITH w AS (
  SELECT member_id, month,
    coalesce(sum(personal_settled - personal_refunded) OVER m, 0) AS ep,
    coalesce(sum(team_settled - team_refunded) OVER m, 0) AS et
  FROM member_performance
  WINDOW m AS (PARTITION BY member_id ORDER BY month ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))
UPDATE member_performance p SET earlier_personal_net = w.ep, earlier_team_net = w.et
FROM w WHERE p.member_id = w.member_id AND p.month = w.month AND (w.ep <> 0 OR w.et <> 0);

-- +goose Up
-- Gateway message ids are looked up many at a time (a batch of inbound SMS):
-- leading with the id lets an IN list use the index whatever the planner
-- thinks of the gateway column.
DROP INDEX messages_gateway_id;
CREATE UNIQUE INDEX messages_gateway_id ON messages (gateway_msg_id, gateway) WHERE gateway_msg_id IS NOT NULL;

-- +goose Down
DROP INDEX messages_gateway_id;
CREATE UNIQUE INDEX messages_gateway_id ON messages (gateway, gateway_msg_id) WHERE gateway_msg_id IS NOT NULL;

variable "region" { type = string }
variable "log_level" { type = string }
variable "sentry_dsn" { type = string }
variable "db_password" {
  type      = string
  sensitive = true
}

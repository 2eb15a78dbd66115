// Tests must never read the developer's real Atmos config, keyrings or AWS profiles.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
delete process.env.ATMOS_CLI_CONFIG_PATH;
delete process.env.ATMOS_BASE_PATH;
delete process.env.ATMOS_PROFILE;
delete process.env.ATMOS_IDENTITY;

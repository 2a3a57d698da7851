// Tasks that live outside this folder are loaded through here.
export { purgeExpiredUploadsLegacy, vacuumAuditLog } from "../jobs-shared/cleanup";

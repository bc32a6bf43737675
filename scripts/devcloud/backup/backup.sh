# Stands in for Trove's backup tooling: says which datastore and version the image was built for.
echo "backup image for $(cat /etc/backup-target)"
